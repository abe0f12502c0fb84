import FairflowBase
import Foundation
import NeuralKit
import Testing

@Suite struct BraggNNTests {
  /// Gaussian blobs at seeded sub-pixel centres in 11×11 patches, target = centre / 11 − 0.5
  /// (`Kernels.exp`: the same data on every machine).
  static func blobs(_ n: Int, _ g: inout SeededGenerator) -> (patches: Tensor, targets: Tensor) {
    var patches = [Float](repeating: 0, count: n * 121)
    var centres: [Float] = []
    for i in 0..<n {
      let (cx, cy) = (g.uniform(3, 8), g.uniform(3, 8))
      for y in 0..<11 {
        for x in 0..<11 {
          let d = (Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)
          patches[i * 121 + y * 11 + x] = Kernels.exp(-d / 3)
        }
      }
      centres += [cx / 11 - 0.5, cy / 11 - 0.5]
    }
    return (Tensor(shape: [n, 1, 11, 11], data: patches), Tensor(shape: [n, 2], data: centres))
  }

  @Test func parameterCountsMatchTheReference() {
    #expect(BraggNN(seed: 1).parameterCount == 33_172)
    var c = BraggNN.Configuration()
    c.patch = 15
    #expect(BraggNN(c, seed: 1).parameterCount == 40_340)
    c = .init()
    c.dense = [32, 16, 8, 4]
    #expect(BraggNN(c, seed: 1).parameterCount == 36_910)
    let names = BraggNN(seed: 1).parameters.map(\.name)
    #expect(
      names.prefix(4) == [
        "cnn_layers.0.weight", "cnn_layers.0.bias", "nlb.theta_layer.weight",
        "nlb.theta_layer.bias",
      ])
    #expect(names.last == "dense_layers.8.bias")
    #expect(BraggNN(seed: 1).parameters[0].value.shape == [64, 1, 3, 3])
  }

  @Test func learnsToLocateAPeak() {
    var g = SeededGenerator(seed: 3)
    func batch(_ n: Int) -> (Tensor, Tensor) { Self.blobs(n, &g) }
    let model = BraggNN(seed: 4)
    var optimizer = Adam(learningRate: 3e-3)
    let (test, truth) = batch(64)
    func error() -> Float {
      let tape = Tape()
      return tape.value(tape.meanSquaredError(model(tape, patches: test), truth)).data[0]
    }
    let before = error()
    for _ in 0..<80 {
      let (x, y) = batch(32)
      let tape = Tape()
      tape.backward(from: tape.meanSquaredError(model(tape, patches: x), y))
      optimizer.step(model.parameters)
    }
    // BraggNN trains slowly (the reference runs 500 epochs); 80 small steps must still cut the
    // error clearly below predicting the mean.
    #expect(error() < before * 0.7, "MSE \(before) → \(error())")
  }

  @Test func outputBiasAtTheTargetCentreEqualsZeroCentredTraining() {
    // The trainer starts BraggNN's output bias at 0.5 (TrainStage+BraggNN): training on ploc then
    // follows the same path as training the zero-centred model (FAIR's 0center) on ploc − 0.5.
    var g = SeededGenerator(seed: 9)
    let patches = Tensor(shape: [8, 1, 11, 11], data: (0..<968).map { _ in g.uniform(0, 1) })
    let ploc = Tensor(shape: [8, 2], data: (0..<16).map { _ in g.uniform(0.35, 0.65) })
    let centred = Tensor(shape: [8, 2], data: ploc.data.map { $0 - 0.5 })
    let zero = BraggNN(seed: 5)
    let offset = BraggNN(seed: 5)
    offset.dense[offset.dense.count - 1].bias.value = Tensor(shape: [2], data: [0.5, 0.5])
    var a = Adam(learningRate: 3e-3)
    var b = Adam(learningRate: 3e-3)
    for _ in 0..<5 {
      let t1 = Tape()
      t1.backward(from: t1.meanSquaredError(zero(t1, patches: patches), centred))
      a.step(zero.parameters)
      let t2 = Tape()
      t2.backward(from: t2.meanSquaredError(offset(t2, patches: patches), ploc))
      b.step(offset.parameters)
    }
    let t = Tape()
    let p0 = t.value(zero(t, patches: patches)).data
    let p1 = t.value(offset(t, patches: patches)).data
    for (x, y) in zip(p0, p1) { #expect(abs(x + 0.5 - y) < 1e-4, "\(x) + 0.5 vs \(y)") }
  }
}
