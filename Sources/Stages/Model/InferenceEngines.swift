internal import FairflowBase
internal import ModelImport
internal import NeuralKit
internal import StageSupport

/// The two engines a `consistency` stage compares: an interaction network run natively
/// (NeuralKit) and its ONNX export run by `ONNXInterpreter`, batch by batch with each batch
/// timed.
struct InferenceEngines {
  /// One engine's results on a set of jets.
  struct Outcome {
    /// P(class 1) per jet.
    var probability: [Double] = []
    /// The arg-max class per jet.
    var classes: [Int] = []
    /// Wall-clock time inside the engine, summed over the batches.
    var seconds: Double = 0
    var batches = 0

    mutating func append(_ row: [Double]) {
      probability.append(row[min(1, row.count - 1)])
      classes.append(row.firstIndex(of: row.max()!)!)
    }
  }

  let model: InteractionNetwork
  let graph: ONNXInterpreter
  /// The ONNX file, for messages.
  let path: String

  /// Reads the ONNX graph `bytes` (from `path`): it must take `tracks` and `vertices` and give
  /// one output.
  init(_ model: InteractionNetwork, onnx bytes: [UInt8], path: String) throws {
    let graph = try ONNXInterpreter(bytes)
    guard graph.inputNames == ["tracks", "vertices"], graph.outputNames.count == 1 else {
      throw StageError(
        "consistency: \(path) takes \(graph.inputNames) and gives \(graph.outputNames); expected inputs tracks, vertices and one output"
      )
    }
    (self.model, self.graph, self.path) = (model, graph, path)
  }

  /// The network on `set`, `batch` jets at a time.
  func native(_ set: JetSet, batch: Int) -> Outcome {
    var out = Outcome()
    for lo in stride(from: 0, to: set.count, by: batch) {
      let part = set.rows(Array(lo..<min(set.count, lo + batch))[...])
      let start = MonotonicClock.now()
      let p = Training.predict(model, part, batchSize: batch)
      out.seconds += MonotonicClock.now() - start
      out.batches += 1
      for row in p { out.append(row.map(Double.init)) }
    }
    return out
  }

  /// The ONNX graph on `set`, `batch` jets at a time. fairflow names the output `logits` (a
  /// softmax is applied here) or `probabilities` (softmax: true); others are taken as
  /// probabilities, as the reference export's `output1` is.
  func onnx(_ set: JetSet, batch: Int) throws -> Outcome {
    var out = Outcome()
    let output = graph.outputNames[0]
    let classes = model.configuration.classes
    for lo in stride(from: 0, to: set.count, by: batch) {
      let part = set.rows(Array(lo..<min(set.count, lo + batch))[...])
      let start = MonotonicClock.now()
      let result = try graph.run(["tracks": part.tracks, "vertices": part.vertices])
      out.seconds += MonotonicClock.now() - start
      out.batches += 1
      guard let y = result[output], y.shape == [part.count, classes] else {
        throw StageError("consistency: \(path) gave no [\(part.count), \(classes)] output")
      }
      for i in 0..<part.count {
        let row = Array(y.data[(i * classes)..<((i + 1) * classes)]).map(Double.init)
        out.append(output == "logits" ? Self.softmax(row) : row)
      }
    }
    return out
  }

  static func softmax(_ row: [Double]) -> [Double] {
    let m = row.max() ?? 0
    let e = row.map { Kernels.exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }
}
