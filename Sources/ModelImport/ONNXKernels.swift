internal import Glibc
internal import NeuralKit

/// The interpreter's kernels: plain functions from tensors to a tensor, on contiguous row-major
/// buffers. This file holds the element-wise ones (numpy broadcasting, activations, Softmax);
/// `+Matrix` the sgemm-backed MatMul, Gemm and Conv; `+Layout` the data-movement, shape and
/// reduction ops. Kernels check shapes and throw plain messages; the interpreter adds the node.
///
/// Broadcasting follows numpy: shapes are right-aligned and a dimension of 1 stretches. A binary
/// op gives each operand a stride of 0 along stretched dimensions, then merges neighbouring
/// dimensions that are contiguous in both operands, so `[B, N, F] + [F]` runs as `[B·N, F]`:
/// one outer loop over rows and a tight inner loop, never a per-element index computation.
enum ONNXKernels {
  static func normalized(axis: Int, rank: Int) throws(ImportError) -> Int {
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0, a < rank else {
      throw ImportError("axis \(axis) is out of range for rank \(rank)")
    }
    return a
  }

  /// Row-major strides, in elements.
  static func strides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var step = 1
    for i in shape.indices.reversed() {
      s[i] = step
      step *= shape[i]
    }
    return s
  }

  static func broadcastShape(_ a: [Int], _ b: [Int]) throws(ImportError) -> [Int] {
    let r = max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
      let x = i < r - a.count ? 1 : a[i - (r - a.count)]
      let y = i < r - b.count ? 1 : b[i - (r - b.count)]
      guard x == y || x == 1 || y == 1 else {
        throw ImportError("shapes \(a) and \(b) do not broadcast")
      }
      out[i] = x == 1 ? y : x
    }
    return out
  }

  /// Two operands laid over a broadcast result, dimensions merged where both are contiguous.
  struct BroadcastLayout {
    var dims: [Int] = []
    var strideA: [Int] = []
    var strideB: [Int] = []

    init(result: [Int], _ a: [Int], _ b: [Int]) {
      func stretched(_ s: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: result.count - s.count) + s
        return zip(padded, ONNXKernels.strides(padded)).map { $0 == 1 ? 0 : $1 }
      }
      let sa = stretched(a)
      let sb = stretched(b)
      for i in result.indices where result[i] != 1 {
        let n = result[i]
        if let last = dims.indices.last, strideA[last] == sa[i] * n, strideB[last] == sb[i] * n {
          dims[last] *= n
          strideA[last] = sa[i]
          strideB[last] = sb[i]
        } else {
          dims.append(n)
          strideA.append(sa[i])
          strideB.append(sb[i])
        }
      }
      if dims.isEmpty {
        dims = [1]
        strideA = [0]
        strideB = [0]
      }
    }

    /// `out = f(a, b)` over the layout. `out` may be the buffer of an operand with the
    /// result's shape: each element is read before it is written.
    func apply<F: FloatOperator>(
      _ f: F.Type, _ pa: UnsafePointer<Float>, _ pb: UnsafePointer<Float>,
      into out: UnsafeMutablePointer<Float>
    ) {
      let last = dims.count - 1
      let (n, ca, cb) = (dims[last], strideA[last], strideB[last])
      forEachRow { o, ia, ib in
        if ca == 1, cb == 1 {
          for j in 0..<n { out[o + j] = F.apply(pa[ia + j], pb[ib + j]) }
        } else if ca == 1, cb == 0 {
          let y = pb[ib]
          for j in 0..<n { out[o + j] = F.apply(pa[ia + j], y) }
        } else if ca == 0, cb == 1 {
          let x = pa[ia]
          for j in 0..<n { out[o + j] = F.apply(x, pb[ib + j]) }
        } else {
          for j in 0..<n { out[o + j] = F.apply(pa[ia + j * ca], pb[ib + j * cb]) }
        }
      }
    }

    /// Calls `body(output offset, offset in a, offset in b)` once per innermost row.
    func forEachRow(_ body: (Int, Int, Int) -> Void) {
      let outer = dims.count - 1
      let rows = dims.dropLast().reduce(1, *)
      var index = [Int](repeating: 0, count: outer)
      var (ia, ib) = (0, 0)
      for row in 0..<rows {
        body(row * dims[outer], ia, ib)
        var d = outer - 1
        while d >= 0 {
          index[d] += 1
          ia += strideA[d]
          ib += strideB[d]
          if index[d] < dims[d] { break }
          ia -= strideA[d] * dims[d]
          ib -= strideB[d] * dims[d]
          index[d] = 0
          d -= 1
        }
      }
    }
  }

  static func binary(
    _ op: ONNXOperation.Binary, _ a: consuming Tensor, _ b: consuming Tensor,
    allocate: Allocator<Float> = fresh
  ) throws(ImportError) -> Tensor {
    switch op {
    case .add: try broadcast(Sum.self, consume a, consume b, allocate: allocate)
    case .sub: try broadcast(Difference.self, consume a, consume b, allocate: allocate)
    case .mul: try broadcast(Product.self, consume a, consume b, allocate: allocate)
    case .div: try broadcast(Quotient.self, consume a, consume b, allocate: allocate)
    }
  }

  /// `f(a, b)` element-wise with numpy broadcasting. The result is written over an operand
  /// that already has the result's shape, so that an operand passed at its last use (the
  /// interpreter's `Step.releases`) lends its buffer instead of a fresh allocation; an operand
  /// still referenced elsewhere is copied first by the array's copy-on-write.
  static func broadcast<F: FloatOperator>(
    _ f: F.Type, _ a: consuming Tensor, _ b: consuming Tensor, allocate: Allocator<Float> = fresh
  ) throws(ImportError) -> Tensor {
    let shape = try broadcastShape(a.shape, b.shape)
    let count = shape.reduce(1, *)
    guard count > 0 else { return Tensor(shape: shape, data: []) }
    let layout = BroadcastLayout(result: shape, a.shape, b.shape)
    if a.shape == shape {
      var out = consume a
      b.data.withUnsafeBufferPointer { pb in
        out.data.withUnsafeMutableBufferPointer { po in
          layout.apply(
            F.self, UnsafePointer(po.baseAddress!), pb.baseAddress!, into: po.baseAddress!)
        }
      }
      return out
    }
    if b.shape == shape {
      var out = consume b
      a.data.withUnsafeBufferPointer { pa in
        out.data.withUnsafeMutableBufferPointer { po in
          layout.apply(
            F.self, pa.baseAddress!, UnsafePointer(po.baseAddress!), into: po.baseAddress!)
        }
      }
      return out
    }
    let data = allocate(count) { out in
      a.data.withUnsafeBufferPointer { pa in
        b.data.withUnsafeBufferPointer { pb in
          layout.apply(F.self, pa.baseAddress!, pb.baseAddress!, into: out.baseAddress!)
        }
      }
    }
    return Tensor(shape: shape, data: data)
  }

  /// In place when `x` is passed at its last use (see `broadcast`).
  static func unary(_ op: ONNXOperation.Unary, _ x: consuming Tensor) -> Tensor {
    var y = consume x
    y.data.withUnsafeMutableBufferPointer { p in
      switch op {
      // Selects rather than branches: half the inputs are negative, a branch mispredicts.
      case .relu:
        for i in p.indices {
          let v = p[i]
          p[i] = v < 0 ? 0 : v
        }
      case .leakyRelu(let alpha):
        for i in p.indices {
          let v = p[i]
          p[i] = v < 0 ? alpha * v : v
        }
      case .tanh:
        for i in p.indices { p[i] = Kernels.tanh(p[i]) }
      case .sigmoid:
        for i in p.indices { p[i] = Kernels.sigmoid(p[i]) }
      }
    }
    return y
  }

  /// Softmax along `axis` (opset 13), or over everything from `axis` on when `flattened`
  /// (opsets 11–12 coerce the input to 2-D at `axis`).
  static func softmax(_ x: consuming Tensor, axis: Int, flattened: Bool) throws(ImportError)
    -> Tensor
  {
    let a = try normalized(axis: axis, rank: x.shape.count)
    let outer = x.shape[..<a].reduce(1, *)
    let n = flattened ? x.shape[a...].reduce(1, *) : x.shape[a]
    let inner = flattened ? 1 : x.shape[(a + 1)...].reduce(1, *)
    var y = consume x
    guard n > 0 else { return y }
    y.data.withUnsafeMutableBufferPointer { p in
      for o in 0..<outer {
        for i in 0..<inner {
          let base = o * n * inner + i
          var largest = -Float.infinity
          for k in 0..<n { largest = max(largest, p[base + k * inner]) }
          var sum: Float = 0
          for k in 0..<n {
            let e = Kernels.exp(p[base + k * inner] - largest)
            p[base + k * inner] = e
            sum += e
          }
          for k in 0..<n { p[base + k * inner] /= sum }
        }
      }
    }
    return y
  }
}

/// A binary Float32 function, as a type so that the broadcast loop is specialised per op and
/// calls no closure per element.
protocol FloatOperator {
  static func apply(_ x: Float, _ y: Float) -> Float
}

enum Sum: FloatOperator { static func apply(_ x: Float, _ y: Float) -> Float { x + y } }
enum Difference: FloatOperator { static func apply(_ x: Float, _ y: Float) -> Float { x - y } }
enum Product: FloatOperator { static func apply(_ x: Float, _ y: Float) -> Float { x * y } }
enum Quotient: FloatOperator { static func apply(_ x: Float, _ y: Float) -> Float { x / y } }
/// The second operand: broadcasting one tensor to a shape (Gemm's C).
enum Second: FloatOperator { static func apply(_ x: Float, _ y: Float) -> Float { y } }
