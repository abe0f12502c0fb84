internal import NeuralKit

/// Data movement (Transpose, Concat, Gather), the shape arithmetic of Reshape, Flatten, Squeeze
/// and Unsqueeze, and the reductions. Movement is generic over the element so that the integer
/// tensors of shape computations go through the same code as Float32 data.
extension ONNXKernels {
  /// `perm` (default: reversed axes) applied to a row-major buffer. A batch of 2-D transposes
  /// (`[B, R, C] → [B, C, R]` once adjacent axes are merged: the interaction network's
  /// `[0, 2, 1]`) goes tile by tile so that reads and writes stay in cache; any other
  /// permutation fills output rows in order, reading with the stride of the axis that became
  /// the last one.
  static func transposed<T: BitwiseCopyable>(
    _ data: [T], shape: [Int], perm: [Int]?, allocate: Allocator<T>
  ) throws(ImportError) -> ([T], [Int]) {
    let rank = shape.count
    let p = perm ?? Array((0..<rank).reversed())
    guard p.count == rank, Set(p) == Set(0..<rank) else {
      throw ImportError("perm \(p) is not a permutation of the axes of \(shape)")
    }
    let outShape = p.map { shape[$0] }
    let inputStrides = strides(shape)
    let step = p.map { inputStrides[$0] }
    let count = data.count
    guard count > 0, rank > 1 else { return (data, outShape) }
    if let (batch, rows, columns) = batchedSwap(shape, p) {
      let result = allocate(count) { out in
        swap(data, into: out, batch: batch, rows: rows, columns: columns)
      }
      return (result, outShape)
    }
    let last = rank - 1
    let (inner, innerStep) = (outShape[last], step[last])
    let result = allocate(count) { out in
      data.withUnsafeBufferPointer { source in
        var index = [Int](repeating: 0, count: last)
        var offset = 0
        var position = 0
        for _ in 0..<(count / inner) {
          for j in 0..<inner { out[position + j] = source[offset + j * innerStep] }
          position += inner
          var d = last - 1
          while d >= 0 {
            index[d] += 1
            offset += step[d]
            if index[d] < outShape[d] { break }
            offset -= step[d] * outShape[d]
            index[d] = 0
            d -= 1
          }
        }
      }
    }
    return (result, outShape)
  }

  /// `perm` as `[B, R, C] → [B, C, R]`, if it is one: axes of size 1 drop out and input axes
  /// that stay adjacent and in order merge.
  private static func batchedSwap(_ shape: [Int], _ perm: [Int]) -> (Int, Int, Int)? {
    let live = shape.indices.filter { shape[$0] != 1 }
    var groups: [[Int]] = []  // runs of consecutive live input axes, in output order
    for axis in perm where shape[axis] != 1 {
      let position = live.firstIndex(of: axis)!
      if let last = groups.last?.last, live.firstIndex(of: last)! + 1 == position {
        groups[groups.count - 1].append(axis)
      } else {
        groups.append([axis])
      }
    }
    func size(_ group: [Int]) -> Int { group.reduce(1) { $0 * shape[$1] } }
    if groups.count == 2, groups[0][0] > groups[1][0] {
      return (1, size(groups[1]), size(groups[0]))
    }
    if groups.count == 3, groups[0][0] < groups[2][0], groups[2][0] < groups[1][0] {
      return (size(groups[0]), size(groups[2]), size(groups[1]))
    }
    return nil
  }

  private static func swap<T: BitwiseCopyable>(
    _ data: [T], into out: UnsafeMutableBufferPointer<T>, batch: Int, rows: Int, columns: Int
  ) {
    let tile = 32
    data.withUnsafeBufferPointer { source in
      for b in 0..<batch {
        let base = b * rows * columns
        for r0 in stride(from: 0, to: rows, by: tile) {
          for c0 in stride(from: 0, to: columns, by: tile) {
            for r in r0..<min(r0 + tile, rows) {
              for c in c0..<min(c0 + tile, columns) {
                out[base + c * rows + r] = source[base + r * columns + c]
              }
            }
          }
        }
      }
    }
  }

  /// Joins tensors along `axis`; all other dimensions must agree.
  static func concatenated<T: BitwiseCopyable>(
    _ parts: [([T], [Int])], axis: Int, allocate: Allocator<T>
  ) throws(ImportError) -> ([T], [Int]) {
    let first = parts[0].1
    let a = try normalized(axis: axis, rank: first.count)
    for (_, s) in parts {
      guard s.count == first.count, s.indices.allSatisfy({ $0 == a || s[$0] == first[$0] }) else {
        throw ImportError(
          "Concat along axis \(axis): shapes \(parts.map(\.1)) differ off the axis")
      }
    }
    var shape = first
    shape[a] = parts.reduce(0) { $0 + $1.1[a] }
    let outer = first[..<a].reduce(1, *)
    let inner = first[(a + 1)...].reduce(1, *)
    let result = allocate(shape.reduce(1, *)) { out in
      var position = 0
      for o in 0..<outer {
        for (data, s) in parts {
          let chunk = s[a] * inner
          guard chunk > 0 else { continue }
          data.withUnsafeBufferPointer { source in
            (out.baseAddress! + position).update(
              from: source.baseAddress! + o * chunk, count: chunk)
          }
          position += chunk
        }
      }
    }
    return (result, shape)
  }

  /// Picks `indices` (negative counts from the end) along `axis`: the output shape is
  /// `shape[..<axis] + indices.shape + shape[(axis + 1)...]`.
  static func gathered<T: BitwiseCopyable>(
    _ data: [T], shape: [Int], indices: IntegerTensor, axis: Int
  ) throws(ImportError) -> ([T], [Int]) {
    let a = try normalized(axis: axis, rank: shape.count)
    let n = shape[a]
    var picks: [Int] = []
    for v in indices.values {
      let i = v < 0 ? v + n : v
      guard i >= 0, i < n else {
        throw ImportError("Gather: index \(v) is out of range for dimension \(n)")
      }
      picks.append(i)
    }
    let outer = shape[..<a].reduce(1, *)
    let inner = shape[(a + 1)...].reduce(1, *)
    var result: [T] = []
    result.reserveCapacity(outer * picks.count * inner)
    for o in 0..<outer {
      for i in picks {
        let start = (o * n + i) * inner
        result.append(contentsOf: data[start..<(start + inner)])
      }
    }
    return (result, Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...]))
  }

  /// Reshape's target: 0 copies the input dimension (unless `allowZero`), one -1 is inferred.
  static func reshaped(_ shape: [Int], to spec: [Int], allowZero: Bool) throws(ImportError)
    -> [Int]
  {
    var out = spec
    var inferred: Int?
    for (i, v) in spec.enumerated() {
      if v == 0, !allowZero {
        guard i < shape.count else {
          throw ImportError("Reshape of \(shape) to \(spec): no dimension \(i) to copy")
        }
        out[i] = shape[i]
      } else if v == -1, inferred == nil {
        inferred = i
      } else if v < 0 {
        throw ImportError("Reshape of \(shape) to \(spec): invalid target")
      }
    }
    let count = shape.reduce(1, *)
    if let inferred {
      let known = out.enumerated().reduce(1) { $0 * ($1.offset == inferred ? 1 : $1.element) }
      guard known > 0, count % known == 0 else {
        throw ImportError("Reshape of \(shape) to \(spec): sizes do not divide")
      }
      out[inferred] = count / known
    }
    guard out.reduce(1, *) == count else {
      throw ImportError("Reshape of \(shape) to \(spec): \(count) values do not fit \(out)")
    }
    return out
  }

  /// `[∏ shape[..<axis], ∏ shape[axis...]]`, axis in `-rank...rank`.
  static func flattened(_ shape: [Int], axis: Int) throws(ImportError) -> [Int] {
    let a = axis < 0 ? axis + shape.count : axis
    guard a >= 0, a <= shape.count else {
      throw ImportError("Flatten: axis \(axis) is out of range for \(shape)")
    }
    return [shape[..<a].reduce(1, *), shape[a...].reduce(1, *)]
  }

  /// Drops the listed axes (each of size 1) or, with none listed, every axis of size 1.
  static func squeezed(_ shape: [Int], axes: [Int]?) throws(ImportError) -> [Int] {
    guard let axes else { return shape.filter { $0 != 1 } }
    var drop = Set<Int>()
    for axis in axes {
      let a = try normalized(axis: axis, rank: shape.count)
      guard shape[a] == 1 else {
        throw ImportError("Squeeze: dimension \(axis) of \(shape) is not 1")
      }
      drop.insert(a)
    }
    return shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
  }

  /// Inserts axes of size 1 at the listed positions of the output.
  static func unsqueezed(_ shape: [Int], axes: [Int]) throws(ImportError) -> [Int] {
    let rank = shape.count + axes.count
    var insert = Set<Int>()
    for axis in axes {
      guard insert.insert(try normalized(axis: axis, rank: rank)).inserted else {
        throw ImportError("Unsqueeze: axes \(axes) repeat an axis")
      }
    }
    var source = shape.makeIterator()
    return (0..<rank).map { insert.contains($0) ? 1 : source.next()! }
  }

  /// Sum or mean over `axes`, one axis at a time as `[outer, n, inner] → [outer, inner]`.
  static func reduce(
    _ x: Tensor, _ kind: ONNXOperation.Reduction, axes: [Int], keepDims: Bool
  ) throws(ImportError) -> Tensor {
    var reduced = Set<Int>()
    for axis in axes { reduced.insert(try normalized(axis: axis, rank: x.shape.count)) }
    var shape = x.shape
    var data = x.data
    for a in reduced.sorted() {
      let outer = shape[..<a].reduce(1, *)
      let n = shape[a]
      let inner = shape[(a + 1)...].reduce(1, *)
      var out = [Float](repeating: 0, count: outer * inner)
      data.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target in
          for o in 0..<outer {
            for k in 0..<n {
              let from = (o * n + k) * inner
              let to = o * inner
              for i in 0..<inner { target[to + i] += source[from + i] }
            }
          }
        }
      }
      shape[a] = 1
      data = out
    }
    if kind == .mean {
      let n = Float(reduced.reduce(1) { $0 * x.shape[$1] })
      for i in data.indices { data[i] /= n }
    }
    if !keepDims {
      shape = shape.enumerated().filter { !reduced.contains($0.offset) }.map(\.element)
    }
    return Tensor(shape: shape, data: data)
  }
}
