/// A dense Float32 tensor in row-major order.
public struct Tensor: Sendable, Equatable {
  public var shape: [Int]
  public var data: [Float]

  public init(shape: [Int], data: [Float]) {
    precondition(
      shape.reduce(1, *) == data.count,
      "shape \(shape) holds \(shape.reduce(1, *)) values, not \(data.count)")
    self.shape = shape
    self.data = data
  }

  public init(zeros shape: [Int]) {
    self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
  }

  public var count: Int { data.count }
  /// Rows of a 2-D view: the first dimension, the rest flattened into columns.
  public var rows: Int { shape.first ?? 1 }
  public var columns: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

  /// `[B, F, M]` → `[B, M, F]` (feature-major to object-major and back).
  public func swappingLastTwoAxes() -> Tensor {
    precondition(shape.count == 3)
    let (b, f, m) = (shape[0], shape[1], shape[2])
    var out = [Float](repeating: 0, count: data.count)
    for i in 0..<b {
      for j in 0..<f {
        for k in 0..<m { out[(i * m + k) * f + j] = data[(i * f + j) * m + k] }
      }
    }
    return Tensor(shape: [b, m, f], data: out)
  }
}

/// A trainable tensor with its gradient, updated in place by an optimizer.
public final class Parameter: @unchecked Sendable {
  public let name: String
  public var value: Tensor
  public var grad: [Float]

  public init(name: String, value: Tensor) {
    self.name = name
    self.value = value
    grad = [Float](repeating: 0, count: value.count)
  }

  public func zeroGrad() {
    for i in grad.indices { grad[i] = 0 }
  }
}
