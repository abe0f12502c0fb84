import FairflowBase
import FairflowTesting
import Foundation
import Metrics
import Testing

/// ROC points and AUC against scikit-learn's `roc_curve` / `roc_auc_score` to 1e-12.
@Suite struct MetricsTests {
  static func data(_ n: Int, ties: Bool, seed: UInt64) -> ([Double], [Int]) {
    var g = SplitMix64(state: seed)
    var scores: [Double] = []
    var labels: [Int] = []
    for _ in 0..<n {
      let label = g.uniform() < 0.4 ? 1 : 0
      var s = g.uniform() + (label == 1 ? 0.3 : 0)
      if ties { s = (s * 10).rounded() / 10 }
      scores.append(s)
      labels.append(label)
    }
    return (scores, labels)
  }

  func sklearn(_ scores: [Double], _ labels: [Int]) throws -> (
    auc: Double, fpr: [Double], tpr: [Double], thresholds: [Double]
  )? {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return nil
    }
    let ws = try TemporaryWorkspace("roc")
    defer { ws.destroy() }
    try scores.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: ws.path("s.f64"))) }
    try labels.map(Int64.init).withUnsafeBytes {
      try Data($0).write(to: URL(fileURLWithPath: ws.path("l.i64")))
    }
    let script = """
      import numpy as np
      from sklearn.metrics import roc_auc_score, roc_curve
      s = np.fromfile("s.f64", np.float64); l = np.fromfile("l.i64", np.int64)
      fpr, tpr, th = roc_curve(l, s)
      np.array([roc_auc_score(l, s)], np.float64).tofile("auc.f64")
      fpr.astype(np.float64).tofile("fpr.f64"); tpr.astype(np.float64).tofile("tpr.f64")
      th.astype(np.float64).tofile("th.f64")
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    #expect(out.status == 0, "\(out.stderr)")
    func read(_ name: String) throws -> [Double] {
      let d = try Data(contentsOf: URL(fileURLWithPath: ws.path(name)))
      return d.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }
    return (try read("auc.f64")[0], try read("fpr.f64"), try read("tpr.f64"), try read("th.f64"))
  }

  @Test(arguments: [(5_000, false), (5_000, true), (1_000_000, false), (1_000_000, true)])
  func rocAndAucEqualScikitLearn(_ n: Int, _ ties: Bool) throws {
    let (scores, labels) = Self.data(n, ties: ties, seed: UInt64(n) + (ties ? 1 : 0))
    let roc = try ROC(scores: scores, labels: labels)
    guard let reference = try sklearn(scores, labels) else { return }
    #expect(abs(roc.auc - reference.auc) <= 1e-12, "AUC \(roc.auc) vs \(reference.auc)")
    #expect(roc.falsePositiveRate.count == reference.fpr.count)
    for (a, b) in zip(roc.falsePositiveRate, reference.fpr) { #expect(abs(a - b) <= 1e-12) }
    for (a, b) in zip(roc.truePositiveRate, reference.tpr) { #expect(abs(a - b) <= 1e-12) }
    #expect(roc.thresholds.dropFirst().elementsEqual(reference.thresholds.dropFirst()))
    #expect(roc.thresholds.first == .infinity)
  }

  @Test func edgeCases() throws {
    #expect(try ROC(scores: [0.1, 0.9], labels: [0, 1]).auc == 1)
    #expect(try ROC(scores: [0.5, 0.5], labels: [0, 1]).auc == 0.5, "a tie is a diagonal")
    #expect(try ROC(scores: [-0.0, 0.0, 1], labels: [1, 0, 1]).auc == 0.75, "±0 tie")
    #expect(throws: MetricsError.self) { try ROC(scores: [0.1, 0.2], labels: [1, 1]) }
    #expect(throws: MetricsError.self) { try ROC(scores: [.nan, 0.2], labels: [0, 1]) }
    #expect(Metrics.fidelity([0.2, 0.9], [0.4, 0.9]) == 0.9)
    #expect(Metrics.percentile([1, 2, 3, 4], 50) == 2.5)
    #expect(abs(Metrics.percentile([1, 2, 3, 4], 95) - 3.85) < 1e-12)
    let d = Dictionary(
      uniqueKeysWithValues: Metrics.distances(
        predicted: [0.5, 0.5, 0.1, 0.1], truth: [0.5, 0.5, 0.4, 0.5], patch: 11))
    #expect(abs(d["distance_mean"]! - 2.75) < 1e-6, "Float32 inputs")
    #expect(
      Metrics.accuracy(probabilities: [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], labels: [0, 1, 1])
        == 2.0 / 3)
  }
}
