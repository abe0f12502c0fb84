import FairflowBase
import Foundation
import ModelImport
import NeuralKit
import Testing

@testable import Serve

/// Dynamic batching changes no bit: every row answered through the service, in whatever batch
/// the batcher formed, equals the same row run alone through `ModelImporter.Model.predict` (the
/// path `fairflow predict` takes), and the whole set run as one batch.
@Suite struct BatchingIdentityTests {
  static func random(_ count: Int, seed: UInt64) -> [Float] {
    var g = SeededGenerator(seed: seed)
    return (0..<count).map { _ in Float.random(in: -1...1, using: &g) }
  }

  /// Queues `rows` one-row requests at once (so the batcher groups them, 8 at most); returns
  /// each row's answer and the metrics text (batch sizes).
  static func serve(_ model: ServedModel, rows: [[Tensor]]) throws -> ([Tensor?], String) {
    var limits = ServeLimits()
    limits.maxBatch = 8
    limits.maxQueueDelay = 0.005
    let service = try InferenceService(models: [model], limits: limits)
    defer { service.stop() }
    let results = Results(count: rows.count)
    let done = DispatchGroup()
    let batcher = service.batchers[model.name]!
    // Announced first, as requests being decoded are: the batcher waits for them to fill batches.
    for _ in rows.indices { batcher.arriving() }
    for i in rows.indices {
      done.enter()
      let accepted = batcher.submit(rows[i], rows: 1, announced: true) { output in
        results.set(i, output)
        done.leave()
      }
      if !accepted { done.leave() }
    }
    done.wait()
    return (results.all, service.metrics.text())
  }

  final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Tensor?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ t: Tensor) { lock.withLock { values[i] = t } }
    var all: [Tensor?] { lock.withLock { values } }
  }

  func check(_ model: ServedModel, rows: Int) throws {
    let inputs = model.inputs.enumerated().map { i, s in
      Tensor(shape: [rows] + s.rowShape, data: Self.random(rows * s.rowCount, seed: UInt64(i + 7)))
    }
    func row(_ r: Int) -> [Tensor] {
      inputs.map { t in
        let n = t.count / rows
        return Tensor(
          shape: [1] + t.shape.dropFirst(), data: Array(t.data[(r * n)..<((r + 1) * n)]))
      }
    }
    let whole = model.model.predict(inputs, batchSize: rows).data
    let (served, metrics) = try Self.serve(model, rows: (0..<rows).map(row))
    let width = model.output.rowCount
    for r in 0..<rows {
      let alone = model.model.predict(row(r), batchSize: 1).data
      #expect(alone.map(\.bitPattern) == whole[(r * width)..<((r + 1) * width)].map(\.bitPattern))
      #expect(served[r]?.data.map(\.bitPattern) == alone.map(\.bitPattern), "row \(r)")
    }
    // Batches held several requests (else this test would prove nothing): fewer than a quarter
    // of the requests ran alone.
    let alone = metrics.split(separator: "\n").first {
      $0.hasPrefix("fairflow_serve_batch_size_bucket{model=\"\(model.name)\",le=\"1\"}")
    }
    #expect(
      (alone?.split(separator: " ").last.flatMap { Int($0) } ?? rows) < rows / 4, "\(metrics)")
  }

  @Test func braggNNRowsAreTheSameInAnyBatch() throws {
    try check(
      ServedModel(name: "bragg", path: "-", model: .braggNN(BraggNN(seed: 3)), weightsDigest: "-"),
      rows: 64)
  }

  @Test func interactionNetworkRowsAreTheSameInAnyBatch() throws {
    var c = InteractionNetwork.Configuration()
    (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices) = (6, 8, 3, 2)
    try check(
      ServedModel(
        name: "in", path: "-", model: .interactionNetwork(InteractionNetwork(c, seed: 5)),
        weightsDigest: "-"),
      rows: 40)
  }
}
