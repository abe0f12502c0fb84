public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore
internal import Metrics
internal import ModelImport
internal import NeuralKit
internal import Foundation

/// `uses: consistency`: the study's Table 8 without PyTorch — an interaction network run natively
/// (NeuralKit's inference path) and its exported ONNX file run op by op by `ONNXInterpreter` (a
/// generic graph interpreter that shares no code with the model), on the same test jets and batch
/// sizes (`InferenceEngines`): accuracy, AUC and time per batch for each, the largest difference
/// of P(class 1) and the number of jets whose predicted class differs. (The test suite recomputes
/// the ONNX column with onnxruntime.) Times are wall-clock and the only values that change from
/// run to run. See `ConsistencyConfig`.
public struct ConsistencyStage: TypedStage {
  public typealias Configuration = ConsistencyConfig
  public let name = "consistency"
  public let version = 2  // 2: deterministic kernels (issue 17)
  /// Times per batch are wall-clock: `fairflow reproduce` accepts any value for them and compares
  /// everything else in the JSON exactly; the Markdown table (which shows the times) is not
  /// compared.
  public var reproducibility: Reproducibility {
    Reproducibility(
      deterministic: false, tolerance: [.init(key: "seconds_per_batch", absolute: .infinity)])
  }

  public init() {}

  public func run(_ config: ConsistencyConfig, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let directory = try ModelDirectory(config.model, root: root)
    let model = try directory.interactionNetwork(
      "consistency: \(config.model) is not an interaction network")
    let engines = try InferenceEngines(
      model, onnx: FileIO.read(root + "/" + config.onnx), path: config.onnx)
    var tableRows: [[String]] = []
    var runs: [Value] = []
    try TestSplit.reading(config.data, root: root) { file in
      let inputs = try directory.jetInputs(model, file: file, path: config.data)
      Training.reuseLargeAllocations()
      for run in config.runs {
        let (rows, value) = try compare(run, inputs: inputs, engines: engines)
        tableRows += rows
        runs.append(value)
      }
    }
    try table(tableRows, config: config).write(
      [
        ("model", .string(config.model)), ("onnx", .string(config.onnx)),
        ("data", .string(config.data)), ("runs", .list(runs)),
      ], output: root + "/" + config.output, markdown: config.table.map { root + "/" + $0 })
  }

  /// One run: both engines on the same jets; their table rows and the run's JSON entry.
  private func compare(
    _ run: ConsistencyConfig.Run, inputs: JetInputs, engines: InferenceEngines
  ) throws -> (rows: [[String]], value: Value) {
    let batch = run.batch
    let rows = run.rows <= 0 || run.rows > inputs.rows ? inputs.rows : run.rows
    let set = try inputs.block(0..<rows)
    let outcomes = [
      ("native (NeuralKit)", engines.native(set, batch: batch)),
      ("ONNX", try engines.onnx(set, batch: batch)),
    ]
    let (a, b) = (outcomes[0].1, outcomes[1].1)
    let largest = zip(a.probability, b.probability).map { abs($0 - $1) }.max() ?? 0
    let disagreements = zip(a.classes, b.classes).filter { $0 != $1 }.count
    var tableRows: [[String]] = []
    var engineValues: [Value] = []
    for (index, (name, o)) in outcomes.enumerated() {
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
    return (
      tableRows,
      .map([
        ("rows", .int(rows)), ("batch", .int(batch)), ("engines", .list(engineValues)),
        ("max_abs_difference", .double(largest)), ("disagreements", .int(disagreements)),
      ])
    )
  }

  /// Table 8: two rows (native, ONNX) per run.
  private func table(_ rows: [[String]], config: ConsistencyConfig) -> ResultTable {
    ResultTable(
      title: config.title,
      columns: [
        "run", "framework", "accuracy", "time/batch [s]", "AUC",
        "max |ΔP| vs native (decisions differing)",
      ],
      rows: rows,
      note:
        "\(config.model) run natively and its export \(config.onnx) run op by op by fairflow's ONNX "
        + "interpreter on \(config.data); accuracy: arg-max class = label; AUC and ΔP: P(class 1); "
        + "time/batch: wall-clock on this machine (the only value that changes between runs).")
  }
}
