public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import Foundation
internal import HDF5
internal import Metrics
internal import ModelImport
internal import NeuralKit
public import FairflowBase

/// `uses: consistency`: the study's Table 8 without PyTorch — an interaction network run natively
/// (NeuralKit's inference path) and its exported ONNX file run op by op by `ONNXInterpreter` (a
/// generic graph interpreter that shares no code with the model), on the same test jets and batch
/// sizes: accuracy, AUC and time per batch for each, the largest difference of P(class 1) and the
/// number of jets whose predicted class differs. (The test suite recomputes the ONNX column with
/// onnxruntime.) Times are wall-clock and the only values that change from run to run.
///
/// ```yaml
/// with:
///   model: models/in                   # train's model directory (names the input features)
///   onnx: models/in.onnx               # its export (output `logits` gets a softmax)
///   data: features/test.h5
///   runs: [{rows: 1000, batch: 1}, {rows: 0, batch: 128}]   # rows 0 = all (the default runs)
///   output: report/consistency.json
///   table: report/table8.md            # optional Markdown
///   title: Native vs ONNX
/// ```
public struct ConsistencyStage: BuiltinStage {
  public let name = "consistency"
  public let version = 2  // 2: deterministic kernels (issue 17)

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let model = try reader.string("model")
    let onnx = try reader.string("onnx")
    let data = try reader.string("data")
    let output = try reader.string("output")
    var runs: [Value] = [
      .map([("rows", .int(1000)), ("batch", .int(1))]),
      .map([("rows", .int(0)), ("batch", .int(128))]),
    ]
    if let given = reader.value("runs") {
      guard let list = given.listValue, !list.isEmpty,
        list.allSatisfy({ run in
          guard case .map(let fields) = run else { return false }
          return fields.allSatisfy { ["rows", "batch"].contains($0.key) }
            && (run["rows"]?.intValue ?? 0) >= 0 && (run["batch"]?.intValue ?? 0) >= 1
        })
      else {
        throw reader.error(
          "'runs' must be a list of {rows: N ≥ 0, batch: B ≥ 1}", hint: "rows 0 means every jet")
      }
      runs = list.map {
        .map([("rows", .int($0["rows"]?.intValue ?? 0)), ("batch", $0["batch"]!)])
      }
    }
    var fields: [(key: String, value: Value)] = [
      ("model", .string(model)), ("onnx", .string(onnx)), ("data", .string(data)),
      ("runs", .list(runs)), ("output", .string(output)),
    ]
    try ResultTable.readOptions(&reader, title: "Native vs ONNX", into: &fields)
    try reader.finish()
    return .map(fields)
  }

  struct Outcome {
    var probability: [Double]  // P(class 1) per jet
    var classes: [Int]  // arg-max per jet
    var seconds: Double
    var batches: Int
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let modelPath = config["model"]?.stringValue ?? ""
    let onnxPath = config["onnx"]?.stringValue ?? ""
    let dataPath = config["data"]?.stringValue ?? ""
    let json = try FileIO.readText(root + "/" + modelPath + "/model.json")
    guard
      case .interactionNetwork(let model) = try ModelImporter.load(
        json: json, safetensors: try FileIO.read(root + "/" + modelPath + "/model.safetensors"))
    else { throw StageError("consistency: \(modelPath) is not an interaction network") }
    let graph = try ONNXInterpreter(try FileIO.read(root + "/" + onnxPath))
    guard graph.inputNames == ["tracks", "vertices"], graph.outputNames.count == 1 else {
      throw StageError(
        "consistency: \(onnxPath) takes \(graph.inputNames) and gives \(graph.outputNames); expected inputs tracks, vertices and one output"
      )
    }
    let file = try HDF5File.open(root + "/" + dataPath)
    defer { file.close() }
    let inputs = try JetInputs(model: model, json: json, file: file, path: dataPath)
    let c = model.configuration
    Training.reuseLargeAllocations()

    func native(_ set: JetSet, batch: Int) -> Outcome {
      var out = Outcome(probability: [], classes: [], seconds: 0, batches: 0)
      for lo in stride(from: 0, to: set.count, by: batch) {
        let part = set.rows(Array(lo..<min(set.count, lo + batch))[...])
        let start = MonotonicClock.now()
        let p = Training.predict(model, part, batchSize: batch)
        out.seconds += MonotonicClock.now() - start
        out.batches += 1
        for row in p {
          out.probability.append(Double(row[min(1, row.count - 1)]))
          out.classes.append(row.firstIndex(of: row.max()!)!)
        }
      }
      return out
    }
    func onnx(_ set: JetSet, batch: Int) throws -> Outcome {
      var out = Outcome(probability: [], classes: [], seconds: 0, batches: 0)
      let output = graph.outputNames[0]
      // fairflow names the output `logits` or `probabilities` (softmax: true); others are taken
      // as probabilities, as the reference export's `output1` is.
      let logits = output == "logits"
      for lo in stride(from: 0, to: set.count, by: batch) {
        let part = set.rows(Array(lo..<min(set.count, lo + batch))[...])
        let start = MonotonicClock.now()
        let result = try graph.run(["tracks": part.tracks, "vertices": part.vertices])
        out.seconds += MonotonicClock.now() - start
        out.batches += 1
        guard let y = result[output], y.shape == [part.count, c.classes] else {
          throw StageError(
            "consistency: \(onnxPath) gave no [\(part.count), \(c.classes)] output")
        }
        for i in 0..<part.count {
          var row = Array(y.data[(i * c.classes)..<((i + 1) * c.classes)]).map(Double.init)
          if logits { row = Self.softmax(row) }
          out.probability.append(row[min(1, row.count - 1)])
          out.classes.append(row.firstIndex(of: row.max()!)!)
        }
      }
      return out
    }

    var tableRows: [[String]] = []
    var runs: [Value] = []
    for run in config["runs"]?.listValue ?? [] {
      let batch = run["batch"]?.intValue ?? 128
      var rows = run["rows"]?.intValue ?? 0
      if rows <= 0 || rows > inputs.rows { rows = inputs.rows }
      let set = try inputs.block(0..<rows)
      let engines = [
        ("native (NeuralKit)", native(set, batch: batch)), ("ONNX", try onnx(set, batch: batch)),
      ]
      let (a, b) = (engines[0].1, engines[1].1)
      let largest = zip(a.probability, b.probability).map { abs($0 - $1) }.max() ?? 0
      let disagreements = zip(a.classes, b.classes).filter { $0 != $1 }.count
      var engineValues: [Value] = []
      for (index, (name, o)) in engines.enumerated() {
        let auc = try ROC(scores: o.probability, labels: set.labels).auc
        let accuracy =
          Double(zip(o.classes, set.labels).filter { $0 == $1 }.count) / Double(max(rows, 1))
        let perBatch = o.seconds / Double(max(o.batches, 1))
        tableRows.append([
          "\(rows == inputs.rows ? "all \(rows)" : "first \(rows)") test jets, batch \(batch)",
          name, fixed(accuracy, 5), String(format: "%.5f", perBatch), fixed(auc, 5),
          index == 0 ? "–" : String(format: "%.1e", largest) + " (\(disagreements))",
        ])
        engineValues.append(
          .map([
            ("engine", .string(name)), ("accuracy", .double(accuracy)), ("auc", .double(auc)),
            ("seconds_per_batch", .double(perBatch)), ("batches", .int(o.batches)),
          ]))
      }
      print(
        "consistency: \(rows) jets, batch \(batch): max |ΔP| \(largest), \(disagreements) class decisions differ"
      )
      runs.append(
        .map([
          ("rows", .int(rows)), ("batch", .int(batch)), ("engines", .list(engineValues)),
          ("max_abs_difference", .double(largest)), ("disagreements", .int(disagreements)),
        ]))
    }
    let table = ResultTable(
      title: config["title"]?.stringValue ?? "Native vs ONNX",
      columns: [
        "run", "framework", "accuracy", "time/batch [s]", "AUC",
        "max |ΔP| vs native (decisions differing)",
      ],
      rows: tableRows,
      note:
        "\(modelPath) run natively and its export \(onnxPath) run op by op by fairflow's ONNX "
        + "interpreter on \(dataPath); accuracy: arg-max class = label; AUC and ΔP: P(class 1); "
        + "time/batch: wall-clock on this machine (the only value that changes between runs).")
    try table.write(
      [

        ("model", .string(modelPath)), ("onnx", .string(onnxPath)), ("data", .string(dataPath)),
        ("runs", .list(runs)),
      ], config: config, root: root)
  }

  static func softmax(_ row: [Double]) -> [Double] {
    let m = row.max() ?? 0
    let e = row.map { Kernels.exp($0 - m) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
  }
}
