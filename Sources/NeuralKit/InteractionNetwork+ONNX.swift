internal import FairflowBase

extension InteractionNetwork {
  /// The model as ONNX (opset 13): inputs `tracks` [batch, P, N] and `vertices` [batch, S, Nv],
  /// output `logits` [batch, classes] (`softmax: true` appends a Softmax and names it
  /// `probabilities`). Written with the dense interaction matrices, like the reference export.
  public func onnx(softmax: Bool = false, metadata: [(String, String)] = []) -> [UInt8] {
    let c = configuration
    let (p, n, s, nv) = (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices)
    let nr = n * (n - 1)
    let nt = n * nv
    var g = ONNXGraph()
    g.input("tracks", shape: [nil, p, n])
    g.input("vertices", shape: [nil, s, nv])
    func matrix(_ rows: Int, _ cols: Int, _ ones: [(Int, Int)]) -> Tensor {
      var data = [Float](repeating: 0, count: rows * cols)
      for (r, col) in ones { data[r * cols + col] = 1 }
      return Tensor(shape: [rows, cols], data: data)
    }
    var rr: [(Int, Int)] = []
    var rs: [(Int, Int)] = []
    var i = 0
    for r in 0..<n {
      for sd in 0..<n where sd != r {
        rr.append((r, i))
        rs.append((sd, i))
        i += 1
      }
    }
    var rk: [(Int, Int)] = []
    var rv: [(Int, Int)] = []
    for k in 0..<n { for v in 0..<nv { rk.append((k, k * nv + v)); rv.append((v, k * nv + v)) } }
    let RR = g.constant("R_R", matrix(n, nr, rr))
    let RS = g.constant("R_S", matrix(n, nr, rs))
    let RK = g.constant("R_K", matrix(n, nt, rk))
    let RV = g.constant("R_V", matrix(nv, nt, rv))
    let RRt = g.constant("R_R_T", matrix(nr, n, rr.map { ($0.1, $0.0) }))
    let RKt = g.constant("R_K_T", matrix(nt, n, rk.map { ($0.1, $0.0) }))

    func transpose(_ x: String) -> String {
      g.node("Transpose", [x], [("perm", .ints([0, 2, 1]))])
    }
    func mlp(_ m: MLP, _ x: String) -> String {
      var h = x
      for (index, layer) in m.layers.enumerated() {
        let w = layer.weight.value
        var wt = [Float](repeating: 0, count: w.count)
        for o in 0..<w.rows {
          for k in 0..<w.columns { wt[k * w.rows + o] = w.data[o * w.columns + k] }
        }
        let weight = g.constant(layer.weight.name, Tensor(shape: [w.columns, w.rows], data: wt))
        let bias = g.constant(layer.bias.name, layer.bias.value)
        h = g.node("Add", [g.node("MatMul", [h, weight]), bias])
        if index < m.layers.count - 1 || m.finalActivation { h = g.node("Relu", [h]) }
      }
      return h
    }
    let pp = g.node(
      "Concat", [g.node("MatMul", ["tracks", RR]), g.node("MatMul", ["tracks", RS])],
      [("axis", .int(1))])
    let epp = transpose(mlp(fRpp, transpose(pp)))  // [B, De, Nr]
    let ebarPP = g.node("MatMul", [epp, RRt])  // [B, De, N]
    let pv = g.node(
      "Concat", [g.node("MatMul", ["tracks", RK]), g.node("MatMul", ["vertices", RV])],
      [("axis", .int(1))])
    let epv = transpose(mlp(fRvp, transpose(pv)))
    let ebarPV = g.node("MatMul", [epv, RKt])
    let all = g.node("Concat", ["tracks", ebarPP, ebarPV], [("axis", .int(1))])  // [B, P+2De, N]
    let o = mlp(fO, transpose(all))  // [B, N, Do]
    let axes = g.int64Constant("sum_axes", [1])
    let summed = g.node("ReduceSum", [o, axes], [("keepdims", .int(0))])
    let logits = mlp(MLP(layers: [classifier], finalActivation: false), summed)
    if softmax {
      g.node("Softmax", [logits], output: "probabilities", [("axis", .int(-1))])
      g.output("probabilities", shape: [nil, c.classes])
    } else {
      g.node("Identity", [logits], output: "logits")
      g.output("logits", shape: [nil, c.classes])
    }
    return g.model(
      graphName: "interaction_network",
      metadata: [("fairflow_version", FairflowVersion.current)] + metadata,
      producerVersion: FairflowVersion.current)
  }
}

extension MLP {
  init(layers: [Linear], finalActivation: Bool) {
    self.layers = layers
    self.finalActivation = finalActivation
  }
}
