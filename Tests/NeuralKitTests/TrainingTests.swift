import FairflowBase
import FairflowTesting
import Foundation
import NeuralKit
import Testing

@Suite(.serialized) struct TrainingTests {
  static var small: InteractionNetwork.Configuration {
    var c = InteractionNetwork.Configuration()
    (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices) = (3, 6, 2, 2)
    (c.hidden, c.edgeFeatures, c.outputFeatures) = (12, 6, 6)
    return c
  }

  /// A separable synthetic set: signal jets have a few tracks with a displaced feature 0 and a
  /// vertex with feature 1 raised; background jets do not. Zero-padded like real data.
  static func jets(_ n: Int, seed: UInt64) -> JetSet {
    let c = small
    var g = SeededGenerator(seed: seed)
    var tracks = [Float](repeating: 0, count: n * c.trackFeatures * c.tracks)
    var vertices = [Float](repeating: 0, count: n * c.vertexFeatures * c.vertices)
    var labels: [Int] = []
    for i in 0..<n {
      let signal = g.next() % 2 == 0
      labels.append(signal ? 1 : 0)
      let present = 2 + Int(g.next() % UInt64(c.tracks - 2))
      for k in 0..<present {
        for f in 0..<c.trackFeatures {
          var v = g.uniform(-1, 1)
          if signal, f == 0, k < 3 { v += 1.5 }
          tracks[(i * c.trackFeatures + f) * c.tracks + k] = v
        }
      }
      for f in 0..<c.vertexFeatures {
        vertices[(i * c.vertexFeatures + f) * c.vertices] =
          g.uniform(-1, 1) + (signal && f == 1 ? 1 : 0)
      }
    }
    return JetSet(
      tracks: Tensor(shape: [n, c.trackFeatures, c.tracks], data: tracks),
      vertices: Tensor(shape: [n, c.vertexFeatures, c.vertices], data: vertices), labels: labels)
  }

  /// AUC by the Mann–Whitney statistic with ties counted half (the same value as
  /// scikit-learn's roc_auc_score).
  static func auc(_ scores: [Float], _ labels: [Int]) -> Double {
    var positives = 0.0
    var wins = 0.0
    for (i, si) in scores.enumerated() where labels[i] == 1 {
      positives += 1
      for (j, sj) in scores.enumerated() where labels[j] == 0 {
        wins += si > sj ? 1 : si == sj ? 0.5 : 0
      }
    }
    let negatives = Double(labels.count) - positives
    return wins / (positives * negatives)
  }

  @Test func sameSeedAndThreadsGiveBitIdenticalWeights() {
    // Any thread count gives these bits (DeterminismTests); two here.
    func train() -> [[UInt32]] {
      let model = InteractionNetwork(Self.small, seed: 7)
      var optimizer = Adam(learningRate: 1e-2, weightDecay: 1e-4)
      var g = SeededGenerator(seed: 8)
      let data = Self.jets(200, seed: 9)
      for _ in 0..<2 {
        _ = Training.epoch(
          model, data, batchSize: 32, optimizer: &optimizer, generator: &g, threads: 2)
      }
      return model.parameters.map { $0.value.data.map(\.bitPattern) }
    }
    let a = train()
    let b = train()
    #expect(a == b)
    let other = InteractionNetwork(Self.small, seed: 70).parameters.map {
      $0.value.data.map(\.bitPattern)
    }
    #expect(a != other)
  }

  @Test func interactionNetworkSeparatesASeparableSet() {
    let model = InteractionNetwork(Self.small, seed: 1)
    var optimizer = Adam(learningRate: 5e-3)
    var g = SeededGenerator(seed: 2)
    let train = Self.jets(600, seed: 3)
    let test = Self.jets(300, seed: 4)
    var losses: [Double] = []
    for _ in 0..<8 {
      losses.append(
        Training.epoch(model, train, batchSize: 32, optimizer: &optimizer, generator: &g))
    }
    let probabilities = Training.predict(model, test).map { $0[1] }
    let auc = Self.auc(probabilities, test.labels)
    #expect(auc >= 0.95, "AUC \(auc), losses \(losses)")
    #expect(losses.last! < losses.first!)
  }

  @Test func sgdWithMomentumAlsoLearns() {
    let model = InteractionNetwork(Self.small, seed: 11)
    var optimizer = SGD(learningRate: 0.02, momentum: 0.9)
    var g = SeededGenerator(seed: 12)
    let data = Self.jets(300, seed: 13)
    let first = Training.epoch(model, data, batchSize: 32, optimizer: &optimizer, generator: &g)
    var last = first
    for _ in 0..<5 {
      last = Training.epoch(model, data, batchSize: 32, optimizer: &optimizer, generator: &g)
    }
    #expect(last < first)
  }

  @Test func checkpointRoundTripsAndLoadsWithPythonSafetensors() throws {
    let model = InteractionNetwork(seed: 3)
    let (json, bytes) = model.checkpoint(metadata: [("format", "pt")])
    let again = InteractionNetwork(seed: 4)
    try again.load(safetensors: bytes)
    #expect(again.parameters.map(\.value) == model.parameters.map(\.value))
    #expect(json.contains("\"parameters\": 25554"))

    let bad = InteractionNetwork(Self.small, seed: 1)
    let error = #expect(throws: (any Error).self) { try bad.load(safetensors: bytes) }
    #expect("\(error!)".contains("have shape"))

    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("safetensors")
    defer { ws.destroy() }
    try Data(bytes).write(to: URL(fileURLWithPath: ws.path("model.safetensors")))
    try ws.write("model.json", json)
    let script = """
      import json, numpy as np
      from safetensors.numpy import load_file
      t = load_file("model.safetensors")
      m = json.load(open("model.json"))
      m_names = [x["name"] for x in m["tensors"]]
      for x in m["tensors"]:
          assert t[x["name"]].dtype == np.float32 and list(t[x["name"]].shape) == x["shape"], x
      assert set(t) == set(m_names)
      print(sum(v.size for v in t.values()), float(t["fc_fixed.bias"][0]))
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    #expect(out.status == 0, "\(out.stderr)")
    #expect(out.stdout.hasPrefix("25554 "))
    let bias = Float(
      out.stdout.split(separator: " ")[1].trimmingCharacters(in: .whitespacesAndNewlines))
    #expect(bias == model.classifier.bias.value.data[0])
  }

  /// Warm-up scales step t of N by t/N, then leaves the rate alone: Adam's first step moves every
  /// weight by ≈ the learning rate (m̂/√v̂ = ±1), so with N = 4 it moves by a quarter of that,
  /// and SGD's k-th step by k/N of the plain step.
  @Test func warmupScalesTheFirstStepsLinearly() {
    func parameter() -> Parameter {
      let p = Parameter(name: "w", value: Tensor(shape: [2], data: [1, -1]))
      p.grad = [0.5, -2]
      return p
    }
    var plain = Adam(learningRate: 0.1)
    var warm = Adam(learningRate: 0.1)
    warm.warmupSteps = 4
    let a = parameter()
    let b = parameter()
    plain.step([a])
    warm.step([b])
    let start: [Float] = [1, -1]
    for i in 0..<2 {
      let plainMove = a.value.data[i] - start[i]
      let warmMove = b.value.data[i] - start[i]
      #expect(abs(warmMove - plainMove / 4) < 1e-6, "\(warmMove) vs \(plainMove)")
    }
    var sgd = SGD(learningRate: 0.1)
    sgd.warmupSteps = 2
    let c = parameter()
    sgd.step([c])  // factor 1/2
    let half: [Float] = [1 - 0.1 * 0.5 * 0.5, -1 + 0.1 * 2 * 0.5]
    #expect(c.value.data == half)
    c.grad = [0.5, -2]
    let before = c.value.data
    sgd.step([c])  // step 2 of 2: full rate
    let full: [Float] = [before[0] - Float(0.1) * 0.5, before[1] + Float(0.1) * 2]
    #expect(c.value.data == full)
  }
}
