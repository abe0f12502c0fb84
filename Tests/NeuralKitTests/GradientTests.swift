import FairflowBase
import NeuralKit
import Testing

/// Every op's gradient against central finite differences. All arithmetic is Float32 (losses
/// accumulate in Double); step h = 1e-3 and tolerance |analytic − numeric| ≤ 2e-2·(1 + |numeric|),
/// which a wrong rule (sign, transpose, missing term) exceeds by far.
@Suite struct GradientTests {
  static func random(_ shape: [Int], _ g: inout SeededGenerator, scale: Float = 1) -> Tensor {
    Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.uniform(-scale, scale) })
  }

  /// Checks d(loss)/d(p) for every parameter element; `build` maps the parameters to a scalar.
  static func check(
    _ parameters: [Parameter], samplesPerTensor: Int? = nil,
    _ build: (Tape, [Tape.Variable]) -> Tape.Variable,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    func loss() -> Float {
      let tape = Tape()
      return tape.value(build(tape, parameters.map { tape.parameter($0) })).data[0]
    }
    for p in parameters { p.zeroGrad() }
    let tape = Tape()
    tape.backward(from: build(tape, parameters.map { tape.parameter($0) }))
    let h: Float = 1e-3
    var worst: Float = 0
    for p in parameters {
      let analytic = p.grad
      let step = samplesPerTensor.map { max(1, p.value.count / $0) } ?? 1
      for i in stride(from: 0, to: p.value.count, by: step) {
        let saved = p.value.data[i]
        p.value.data[i] = saved + h
        let plus = loss()
        p.value.data[i] = saved - h
        let minus = loss()
        p.value.data[i] = saved
        let numeric = (plus - minus) / (2 * h)
        let error = abs(analytic[i] - numeric) / (1 + abs(numeric))
        worst = max(worst, error)
        #expect(
          error <= 2e-2, "\(p.name)[\(i)]: analytic \(analytic[i]), numeric \(numeric)",
          sourceLocation: sourceLocation)
      }
    }
    #expect(worst < 2e-2, sourceLocation: sourceLocation)
  }

  @Test func linearReluSigmoidAndMSE() {
    var g = SeededGenerator(seed: 1)
    let x = Parameter(name: "x", value: Self.random([5, 4], &g))
    let w = Parameter(name: "w", value: Self.random([3, 4], &g))
    let b = Parameter(name: "b", value: Self.random([3], &g))
    let target = Self.random([5, 3], &g)
    Self.check([x, w, b]) { tape, v in
      tape.meanSquaredError(tape.sigmoid(tape.linear(v[0], v[1], v[2])), target)
    }
    Self.check([x, w, b]) { tape, v in
      tape.meanSquaredError(tape.leakyRelu(tape.linear(v[0], v[1], v[2]), slope: 0.1), target)
    }
  }

  @Test func gatherScatterConcatAndGroupSums() {
    var g = SeededGenerator(seed: 2)
    let x = Parameter(name: "x", value: Self.random([4, 3], &g))
    let y = Parameter(name: "y", value: Self.random([4, 2], &g))
    let index: [Int32] = [0, 2, 2, 3, 1, 0]
    let target = Self.random([2, 5], &g)
    Self.check([x, y]) { tape, v in
      let picked = tape.concatColumns([
        tape.gatherRows(v[0], index), tape.gatherRows(v[1], index.reversed()),
      ])
      let summed = tape.scatterAddRows(picked, [1, 0, 3, 3, 2, 1], rows: 4)
      return tape.meanSquaredError(tape.sumGroups(summed, size: 2), target)
    }
  }

  @Test func softmaxRows() {
    var g = SeededGenerator(seed: 13)
    let x = Parameter(name: "x", value: Self.random([3, 4], &g, scale: 2))
    let target = Self.random([3, 4], &g)
    Self.check([x]) { tape, v in tape.meanSquaredError(tape.softmax(v[0]), target) }
  }

  @Test func softmaxCrossEntropy() {
    var g = SeededGenerator(seed: 3)
    let logits = Parameter(name: "logits", value: Self.random([6, 3], &g, scale: 3))
    Self.check([logits]) { tape, v in tape.softmaxCrossEntropy(v[0], labels: [0, 1, 2, 2, 1, 0]) }
  }

  @Test func wholeInteractionNetwork() {
    var c = InteractionNetwork.Configuration()
    (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices) = (3, 4, 2, 2)
    (c.hidden, c.edgeFeatures, c.outputFeatures) = (5, 3, 4)
    let model = InteractionNetwork(c, seed: 4)
    var g = SeededGenerator(seed: 5)
    let tracks = Self.random([2, 3, 4], &g)
    let vertices = Self.random([2, 2, 2], &g)
    Self.check(model.parameters) { tape, _ in
      // The model reads its own parameters; the closure's variables are unused.
      tape.softmaxCrossEntropy(model(tape, tracks: tracks, vertices: vertices), labels: [0, 1])
    }
  }

  @Test func im2colAttentionResidualAndFlatten() {
    var g = SeededGenerator(seed: 6)
    let x = Parameter(name: "x", value: Self.random([2 * 4 * 4, 2], &g))
    let w = Parameter(name: "w", value: Self.random([3, 2, 2, 2], &g))
    let b = Parameter(name: "b", value: Self.random([3], &g))
    let t = Parameter(name: "theta", value: Self.random([3, 3], &g))
    let target = Self.random([2, 27], &g)
    Self.check([x, w, b, t]) { tape, v in
      // [2·9, 3]: a 2×2 convolution of two 4×4 maps with 2 channels.
      let h = tape.linear(tape.im2col(v[0], batch: 2, height: 4, width: 4, kernel: 2), v[1], v[2])
      let q = tape.linear(h, v[3], nil)
      let y = tape.attention(q, tape.sigmoid(h), tape.leakyRelu(q, slope: 0.01), groups: 2, n: 9)
      return tape.meanSquaredError(
        tape.flattenChannelMajor(tape.add(y, h), batch: 2, spatial: 9), target)
    }
  }

  @Test func wholeBraggNN() {
    var c = BraggNN.Configuration()
    c.patch = 7
    c.dense = [4, 2]
    let model = BraggNN(c, seed: 7)
    var g = SeededGenerator(seed: 8)
    let patches = Self.random([2, 1, 7, 7], &g)
    let target = Self.random([2, 2], &g)
    Self.check(model.parameters, samplesPerTensor: 6) { tape, _ in
      tape.meanSquaredError(model(tape, patches: patches), target)
    }
  }

  @Test func pairwiseLinearEqualsGatherConcatLinearAndItsGradient() {
    var g = SeededGenerator(seed: 12)
    let a = Parameter(name: "a", value: Self.random([4, 3], &g))
    let b = Parameter(name: "b", value: Self.random([2, 2], &g))
    let w = Parameter(name: "w", value: Self.random([5, 5], &g))
    let bias = Parameter(name: "bias", value: Self.random([5], &g))
    let i: [Int32] = [0, 1, 1, 3, 2, 0]
    let j: [Int32] = [1, 0, 1, 1, 0, 0]
    let tape = Tape()
    let (va, vb, vw, vbias) = (
      tape.parameter(a), tape.parameter(b), tape.parameter(w), tape.parameter(bias)
    )
    let fused = tape.value(tape.pairwiseLinear(va, i, vb, j, weight: vw, bias: vbias)).data
    let plain = tape.value(
      tape.linear(tape.concatColumns([tape.gatherRows(va, i), tape.gatherRows(vb, j)]), vw, vbias)
    ).data
    for (x, y) in zip(fused, plain) { #expect(abs(x - y) <= 1e-5) }
    let target = Self.random([6, 5], &g)
    Self.check([a, b, w, bias]) { tape, v in
      tape.meanSquaredError(tape.pairwiseLinear(v[0], i, v[1], j, weight: v[2], bias: v[3]), target)
    }
  }
}
