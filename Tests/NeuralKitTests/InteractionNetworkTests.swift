import FairflowBase
import NeuralKit
import Testing

@Suite struct InteractionNetworkTests {
  @Test func parameterCountsMatchThePaperAndCheckpoints() {
    #expect(InteractionNetwork(seed: 1).parameterCount == 25_554)
    var c = InteractionNetwork.Configuration()
    c.hidden = 32
    #expect(InteractionNetwork(c, seed: 1).parameterCount == 10_994)
    c = .init()
    c.edgeFeatures = 16
    #expect(InteractionNetwork(c, seed: 1).parameterCount == 24_586)
    c = .init()
    c.outputFeatures = 8
    #expect(InteractionNetwork(c, seed: 1).parameterCount == 24_546)
    #expect(
      InteractionNetwork(seed: 1).parameters.map(\.name).prefix(4)
        == ["fr1.weight", "fr1.bias", "fr2.weight", "fr2.bias"])
  }

  /// The gather/scatter forward equals the reference's dense formulation with explicit 0/1
  /// interaction matrices R_R, R_S, R_K, R_V (hbb-in.md §3.2–3.3), computed naively here.
  @Test func equalsTheDenseInteractionMatrixFormulation() {
    var c = InteractionNetwork.Configuration()
    (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices) = (3, 4, 2, 3)
    (c.hidden, c.edgeFeatures, c.outputFeatures) = (5, 3, 4)
    let model = InteractionNetwork(c, seed: 9)
    var g = SeededGenerator(seed: 10)
    let b = 2
    let x = GradientTests.random([b, c.trackFeatures, c.tracks], &g)
    let y = GradientTests.random([b, c.vertexFeatures, c.vertices], &g)
    let tape = Tape()
    let logits = tape.value(model(tape, tracks: x, vertices: y))

    let (p, n, s, nv) = (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices)
    let nr = n * (n - 1)
    let nt = n * nv
    func mlp(_ m: MLP, _ input: [Double]) -> [Double] {
      var h = input
      for (i, layer) in m.layers.enumerated() {
        let w = layer.weight.value
        var out = [Double](repeating: 0, count: w.rows)
        for o in 0..<w.rows {
          var sum = Double(layer.bias.value.data[o])
          for k in 0..<w.columns { sum += Double(w.data[o * w.columns + k]) * h[k] }
          out[o] = (i < m.layers.count - 1 || m.finalActivation) ? max(0, sum) : sum
        }
        h = out
      }
      return h
    }
    for bi in 0..<b {
      func xv(_ f: Int, _ k: Int) -> Double { Double(x.data[(bi * p + f) * n + k]) }
      func yv(_ f: Int, _ v: Int) -> Double { Double(y.data[(bi * s + f) * nv + v]) }
      // R_R, R_S over ordered pairs (r outer, s inner, s ≠ r); R_K, R_V over (k outer, v inner).
      var ebarPP = [[Double]](repeating: [Double](repeating: 0, count: c.edgeFeatures), count: n)
      var edge = 0
      for r in 0..<n {
        for sd in 0..<n where sd != r {
          let input = (0..<p).map { xv($0, r) } + (0..<p).map { xv($0, sd) }
          let e = mlp(model.fRpp, input)
          for f in 0..<c.edgeFeatures { ebarPP[r][f] += e[f] }  // E · R_Rᵀ
          edge += 1
        }
      }
      #expect(edge == nr)
      var ebarPV = [[Double]](repeating: [Double](repeating: 0, count: c.edgeFeatures), count: n)
      edge = 0
      for k in 0..<n {
        for v in 0..<nv {
          let e = mlp(model.fRvp, (0..<p).map { xv($0, k) } + (0..<s).map { yv($0, v) })
          for f in 0..<c.edgeFeatures { ebarPV[k][f] += e[f] }  // E · R_Kᵀ
          edge += 1
        }
      }
      #expect(edge == nt)
      var obar = [Double](repeating: 0, count: c.outputFeatures)
      for k in 0..<n {
        let o = mlp(model.fO, (0..<p).map { xv($0, k) } + ebarPP[k] + ebarPV[k])
        for f in 0..<c.outputFeatures { obar[f] += o[f] }
      }
      let w = model.classifier.weight.value
      for cls in 0..<c.classes {
        var z = Double(model.classifier.bias.value.data[cls])
        for f in 0..<c.outputFeatures { z += Double(w.data[cls * c.outputFeatures + f]) * obar[f] }
        #expect(abs(Double(logits.data[bi * c.classes + cls]) - z) <= 1e-4 * (1 + abs(z)))
      }
    }
  }

  @Test func fastInferenceEqualsTheTapeForward() {
    var g = SeededGenerator(seed: 40)
    let model = InteractionNetwork(seed: 41)
    let c = model.configuration
    for batch in [1, 3, 5] {
      let x = GradientTests.random([batch, c.trackFeatures, c.tracks], &g)
      let y = GradientTests.random([batch, c.vertexFeatures, c.vertices], &g)
      let tape = Tape()
      let reference = tape.value(model(tape, tracks: x, vertices: y)).data
      let fast = model.infer(tracks: x, vertices: y).data
      #expect(fast.count == reference.count)
      for (a, b) in zip(fast, reference) { #expect(abs(a - b) <= 1e-4 * (1 + abs(b))) }
    }
  }

  /// Weighted activity per layer node equals a naive per-edge, per-track accumulation.
  @Test func activityEqualsANaiveSum() {
    var c = InteractionNetwork.Configuration()
    (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices) = (2, 3, 2, 2)
    (c.hidden, c.edgeFeatures, c.outputFeatures) = (4, 3, 3)
    let model = InteractionNetwork(c, seed: 50)
    var g = SeededGenerator(seed: 51)
    let x = GradientTests.random([3, 2, 3], &g)
    let y = GradientTests.random([3, 2, 2], &g)
    let labels = [0, 1, 1]
    let activity = model.activity(tracks: x, vertices: y, labels: labels)
    // Naive: every hidden activation of every edge/track, Double precision.
    func run(_ m: MLP, _ input: [Double]) -> [[Double]] {
      var h = input
      var out: [[Double]] = []
      for layer in m.layers {
        let w = layer.weight.value
        h = (0..<w.rows).map { o in
          max(
            0,
            Double(layer.bias.value.data[o])
              + (0..<w.columns).reduce(0.0) { $0 + Double(w.data[o * w.columns + $1]) * h[$1] })
        }
        out.append(h)
      }
      return out
    }
    var expected = (0..<2).map { _ in
      (0..<9).map { [Double](repeating: 0, count: $0 % 3 == 2 ? ($0 == 8 ? 3 : 3) : 4) }
    }
    for b in 0..<3 {
      func xv(_ f: Int, _ k: Int) -> Double { Double(x.data[(b * 2 + f) * 3 + k]) }
      func yv(_ f: Int, _ v: Int) -> Double { Double(y.data[(b * 2 + f) * 2 + v]) }
      var ebarPP = [[Double]](repeating: [0, 0, 0], count: 3)
      var ebarPV = [[Double]](repeating: [0, 0, 0], count: 3)
      for r in 0..<3 {
        for s in 0..<3 where s != r {
          let acts = run(model.fRpp, [xv(0, r), xv(1, r), xv(0, s), xv(1, s)])
          for (l, a) in acts.enumerated() {
            for j in a.indices { expected[labels[b]][l][j] += a[j] }
          }
          for j in 0..<3 { ebarPP[r][j] += acts[2][j] }
        }
        for v in 0..<2 {
          let acts = run(model.fRvp, [xv(0, r), xv(1, r), yv(0, v), yv(1, v)])
          for (l, a) in acts.enumerated() {
            for j in a.indices { expected[labels[b]][3 + l][j] += a[j] }
          }
          for j in 0..<3 { ebarPV[r][j] += acts[2][j] }
        }
      }
      for k in 0..<3 {
        let acts = run(model.fO, [xv(0, k), xv(1, k)] + ebarPP[k] + ebarPV[k])
        for (l, a) in acts.enumerated() {
          for j in a.indices { expected[labels[b]][6 + l][j] += a[j] }
        }
      }
    }
    for cls in 0..<2 {
      for layer in 0..<9 {
        #expect(activity[cls][layer].count == expected[cls][layer].count)
        for (a, e) in zip(activity[cls][layer], expected[cls][layer]) {
          #expect(abs(a - e) <= 1e-4 * (1 + abs(e)))
        }
      }
    }
  }
}

@Suite struct LRPTests {
  static func model(zeroBiases: Bool) -> InteractionNetwork {
    var c = InteractionNetwork.Configuration()
    (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices) = (3, 4, 2, 2)
    (c.hidden, c.edgeFeatures, c.outputFeatures) = (6, 4, 4)
    let m = InteractionNetwork(c, seed: 60)
    if zeroBiases {
      for p in m.parameters where p.name.hasSuffix(".bias") {
        p.value = Tensor(zeros: p.value.shape)
      }
    }
    return m
  }

  static func inputs() -> (Tensor, Tensor) {
    var g = SeededGenerator(seed: 61)
    // Non-negative inputs keep most ReLUs active, so the conservation check is not vacuous.
    return (
      Tensor(shape: [3, 3, 4], data: (0..<36).map { _ in g.uniform(0.1, 1) }),
      Tensor(shape: [3, 2, 2], data: (0..<12).map { _ in g.uniform(0.1, 1) })
    )
  }

  @Test func epsilonRuleWithoutBiasesConservesTheScore() {
    let model = Self.model(zeroBiases: true)
    let (x, y) = Self.inputs()
    let (rt, rv) = model.relevance(
      tracks: x, vertices: y, targets: [0, 1, 1], rule: .epsilon(1e-12), epsilon: 1e-12,
      stabilizer: 0)
    for b in 0..<3 {
      let sum =
        rt[(b * 12)..<((b + 1) * 12)].reduce(0, +) + rv[(b * 4)..<((b + 1) * 4)].reduce(0, +)
      #expect(abs(sum - 1) < 1e-5, "jet \(b): relevances sum to \(sum), not 1")
    }
    // With the reference's 1e-5 stabilizer relevance is conserved only approximately.
    let (st, sv) = model.relevance(
      tracks: x, vertices: y, targets: [0, 1, 1], rule: .epsilon(1e-9), epsilon: 1e-9)
    let approximate: Double = st[0..<12].reduce(0, +) + sv[0..<4].reduce(0, +)
    #expect(abs(approximate - 1) < 1e-2)
  }

  @Test func gammaZeroIsLRPZero() {
    let model = Self.model(zeroBiases: false)
    let (x, y) = Self.inputs()
    let a = model.relevance(tracks: x, vertices: y, targets: [1, 0, 1], rule: .gamma(0))
    let b = model.relevance(tracks: x, vertices: y, targets: [1, 0, 1], rule: .zero)
    #expect(a.tracks == b.tracks && a.vertices == b.vertices)
    let g = model.relevance(tracks: x, vertices: y, targets: [1, 0, 1], rule: .gamma(2))
    #expect(g.tracks != b.tracks, "γ > 0 changes the result")
  }
}
