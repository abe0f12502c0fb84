internal import FairflowBase

extension BraggNN {
  /// The model as ONNX (opset 13): input `patch` [batch, 1, P, P], output `ploc` [batch, 2];
  /// Conv, the non-local block as Reshape/Transpose/MatMul/Softmax, LeakyRelu(0.01), Flatten and
  /// MatMul+Add dense layers. Initialiser names are the reference state-dict keys.
  public func onnx(metadata: [(String, String)] = []) -> [UInt8] {
    let p = configuration.patch
    let s1 = p - 2
    var g = ONNXGraph()
    g.input("patch", shape: [nil, 1, p, p])
    func conv(_ layer: Linear, _ x: String) -> String {
      let w = g.constant(layer.weight.name, layer.weight.value)
      let b = g.constant(layer.bias.name, layer.bias.value)
      return g.node("Conv", [x, w, b])
    }
    func leaky(_ x: String) -> String { g.node("LeakyRelu", [x], [("alpha", .float(0.01))]) }
    let flat = g.int64Constant("shape_c32_n", [0, 32, s1 * s1])
    let square = g.int64Constant("shape_c32_hw", [0, 32, s1, s1])
    func rows(_ x: String) -> String { g.node("Reshape", [x, flat]) }  // [B, 32, N]
    func transpose(_ x: String) -> String {
      g.node("Transpose", [x], [("perm", .ints([0, 2, 1]))])
    }
    let h = conv(conv1, "patch")  // [B, 64, s1, s1]
    let theta = transpose(rows(conv(self.theta, h)))  // [B, N, 32]
    let phi = rows(conv(self.phi, h))  // [B, 32, N]
    let gv = transpose(rows(conv(self.g, h)))  // [B, N, 32]
    let a = g.node("Softmax", [g.node("MatMul", [theta, phi])], [("axis", .int(-1))])
    let y = g.node("Reshape", [transpose(g.node("MatMul", [a, gv])), square])  // [B, 32, s1, s1]
    var z = leaky(g.node("Add", [conv(out, y), h]))
    z = leaky(conv(conv2, z))
    z = leaky(conv(conv3, z))
    var d = g.node("Flatten", [z], [("axis", .int(1))])
    for (i, layer) in dense.enumerated() {
      let w = layer.weight.value
      var wt = [Float](repeating: 0, count: w.count)
      for o in 0..<w.rows {
        for k in 0..<w.columns { wt[k * w.rows + o] = w.data[o * w.columns + k] }
      }
      let weight = g.constant(layer.weight.name, Tensor(shape: [w.columns, w.rows], data: wt))
      d = g.node(
        "Add", [g.node("MatMul", [d, weight]), g.constant(layer.bias.name, layer.bias.value)])
      if i < dense.count - 1 { d = leaky(d) }
    }
    g.node("Identity", [d], output: "ploc")
    g.output("ploc", shape: [nil, 2])
    return g.model(
      graphName: "braggnn", metadata: [("fairflow_version", FairflowVersion.current)] + metadata,
      producerVersion: FairflowVersion.current)
  }
}
