internal import NeuralKit

extension ONNXOperation {
  /// The node's output from its arguments, which it takes over, with new Float buffers from
  /// `pool`. Input counts were checked when the node was compiled; element types and shapes
  /// are checked here.
  func evaluate(_ x: inout Arguments, pool: BufferPool) throws(ImportError) -> ONNXValue {
    switch self {
    case .matMul:
      return .float(try ONNXKernels.matMul(try x.float(0), try x.float(1), allocate: pool.make))
    case .gemm(let alpha, let beta, let transA, let transB):
      return .float(
        try ONNXKernels.gemm(
          try x.float(0), try x.float(1), try x.optionalFloat(2), alpha: alpha, beta: beta,
          transA: transA, transB: transB))
    case .binary(let op):
      return .float(
        try ONNXKernels.binary(op, try x.float(0), try x.float(1), allocate: pool.make))
    case .unary(let op): return .float(ONNXKernels.unary(op, try x.float(0)))
    case .softmax(let axis, let flattened):
      return .float(try ONNXKernels.softmax(try x.float(0), axis: axis, flattened: flattened))
    case .transpose(let perm):
      switch try x.value(0) {
      case .float(let t):
        let (data, shape) = try ONNXKernels.transposed(
          t.data, shape: t.shape, perm: perm, allocate: pool.make)
        return .float(Tensor(shape: shape, data: data))
      case .integer(let t):
        let (values, shape) = try ONNXKernels.transposed(
          t.values, shape: t.shape, perm: perm, allocate: ONNXKernels.fresh)
        return .integer(IntegerTensor(shape: shape, values: values))
      }
    case .concat(let axis): return try Self.concat(try x.all(), axis: axis, pool: pool)
    case .reshape(let allowZero):
      guard let spec = try x.integers(1), spec.shape.count == 1 else {
        throw ImportError("the target shape should be a 1-D int64 tensor")
      }
      let input = try x.value(0)
      return input.reshaped(
        try ONNXKernels.reshaped(input.shape, to: spec.values, allowZero: allowZero))
    case .flatten(let axis):
      let input = try x.value(0)
      return input.reshaped(try ONNXKernels.flattened(input.shape, axis: axis))
    case .reduce(let kind, let attribute, let keepDims, let noop):
      let input = try x.float(0)
      let axes = try x.axes(1, or: attribute) ?? []
      if axes.isEmpty, noop { return .float(input) }
      return .float(
        try ONNXKernels.reduce(
          input, kind, axes: axes.isEmpty ? Array(input.shape.indices) : axes, keepDims: keepDims))
    case .identity: return try x.value(0)
    case .conv(let parameters):
      return .float(
        try ONNXKernels.conv(try x.float(0), try x.float(1), try x.optionalFloat(2), parameters))
    case .squeeze(let attribute):
      let input = try x.value(0)
      let axes = try x.axes(1, or: attribute)
      return input.reshaped(try ONNXKernels.squeezed(input.shape, axes: axes))
    case .unsqueeze(let attribute):
      let input = try x.value(0)
      guard let axes = try x.axes(1, or: attribute) else {
        throw ImportError("Unsqueeze needs axes")
      }
      return input.reshaped(try ONNXKernels.unsqueezed(input.shape, axes: axes))
    case .shape(let start, let end):
      let shape = try x.value(0).shape
      func clamped(_ v: Int) -> Int { min(max(v < 0 ? v + shape.count : v, 0), shape.count) }
      let (from, to) = (clamped(start), clamped(end ?? shape.count))
      let dims = from < to ? Array(shape[from..<to]) : []
      return .integer(IntegerTensor(shape: [dims.count], values: dims))
    case .gather(let axis):
      guard let indices = try x.integers(1) else { throw ImportError("Gather needs indices") }
      switch try x.value(0) {
      case .float(let t):
        let (data, shape) = try ONNXKernels.gathered(
          t.data, shape: t.shape, indices: indices, axis: axis)
        return .float(Tensor(shape: shape, data: data))
      case .integer(let t):
        let (values, shape) = try ONNXKernels.gathered(
          t.values, shape: t.shape, indices: indices, axis: axis)
        return .integer(IntegerTensor(shape: shape, values: values))
      }
    case .constant(let value): return value
    }
  }

  private static func concat(_ values: [ONNXValue], axis: Int, pool: BufferPool)
    throws(ImportError) -> ONNXValue
  {
    var floats: [([Float], [Int])] = []
    var integers: [([Int], [Int])] = []
    for value in values {
      switch value {
      case .float(let t): floats.append((t.data, t.shape))
      case .integer(let t): integers.append((t.values, t.shape))
      }
    }
    guard floats.isEmpty || integers.isEmpty else {
      throw ImportError("Concat mixes float and int64 inputs")
    }
    if floats.isEmpty {
      let (values, shape) = try ONNXKernels.concatenated(
        integers, axis: axis, allocate: ONNXKernels.fresh)
      return .integer(IntegerTensor(shape: shape, values: values))
    }
    let (data, shape) = try ONNXKernels.concatenated(floats, axis: axis, allocate: pool.make)
    return .float(Tensor(shape: shape, data: data))
  }
}

extension ONNXOperation {
  /// Whether the inputs this op reads for the last time may go to the buffer pool afterwards:
  /// not where the output may be an input's own buffer (the in-place element-wise ops, and the
  /// ops that only relabel the shape). Pooling those would still be correct (copy-on-write),
  /// only wasted.
  var releasesInputBuffers: Bool {
    switch self {
    case .unary, .binary, .softmax, .identity, .reshape, .flatten, .squeeze, .unsqueeze: false
    default: true
    }
  }
}

extension ONNXValue {
  /// The same elements under a new shape of the same size (checked by the caller).
  func reshaped(_ shape: [Int]) -> ONNXValue {
    switch self {
    case .float(let t): .float(Tensor(shape: shape, data: t.data))
    case .integer(let t): .integer(IntegerTensor(shape: shape, values: t.values))
    }
  }
}

extension ONNXOperation {
  /// A node's input values (nil for an absent optional input), each read once by position with
  /// the element type the op needs and taken out of the list as it is read: a value at its last
  /// use is then referenced by the kernel alone, which may reuse its buffer.
  struct Arguments {
    var values: [ONNXValue?]

    mutating func value(_ i: Int) throws(ImportError) -> ONNXValue {
      guard i < values.count, let v = values[i] else {
        throw ImportError("input \(i + 1) is missing")
      }
      values[i] = nil
      return v
    }

    mutating func all() throws(ImportError) -> [ONNXValue] {
      var list: [ONNXValue] = []
      for i in values.indices { list.append(try value(i)) }
      return list
    }

    mutating func float(_ i: Int) throws(ImportError) -> Tensor {
      guard case .float(let t) = try value(i) else {
        throw ImportError("input \(i + 1) is an int64 tensor where float data is expected")
      }
      return t
    }

    mutating func optionalFloat(_ i: Int) throws(ImportError) -> Tensor? {
      guard i < values.count, values[i] != nil else { return nil }
      return try float(i)
    }

    /// Axes from the attribute (older opsets) or else from input `i`, if present.
    mutating func axes(_ i: Int, or attribute: [Int]?) throws(ImportError) -> [Int]? {
      if let attribute { return attribute }
      return try integers(i)?.values
    }

    mutating func integers(_ i: Int) throws(ImportError) -> IntegerTensor? {
      guard i < values.count, let v = values[i] else { return nil }
      guard case .integer(let t) = v else {
        throw ImportError("input \(i + 1) is a float tensor where int64 values are expected")
      }
      return t
    }
  }
}
