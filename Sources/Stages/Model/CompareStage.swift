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

/// `uses: compare`: interaction networks side by side on one test split, against a baseline —
/// the study's Table 10 (baseline and ablated models; hbb-in.md §8.8). Per model: the features
/// it leaves out relative to the baseline (ΔP tracks, ΔS vertices, by name), h / D_E / D_O,
/// trainable parameters, AUC (class 1 vs the rest), fidelity to the baseline (eq. 1 on P(class 1),
/// percent) and sparsity (fraction of nodes with RNA < 0.2, the mean over the classes, as the
/// paper's single number is). Every model reads the same jets: its own features picked by name.
///
/// ```yaml
/// with:
///   baseline: models/in
///   models: [models/in-ablated-32, models/in-ablated-16]   # the baseline is the first row
///   data: features/test.h5
///   rows: 0                         # jets used (0 = all)
///   output: report/compare.json     # models, values and the table
///   table: report/table10.md        # optional Markdown
///   title: Baseline and ablated models
/// ```
public struct CompareStage: BuiltinStage {
  public let name = "compare"
  public let version = 2  // 2: deterministic kernels (issue 17)

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let baseline = try reader.string("baseline")
    guard let list = reader.value("models")?.listValue, !list.isEmpty,
      list.allSatisfy({ !($0.stringValue ?? "").isEmpty })
    else { throw reader.error("'models' must be a non-empty list of model directories") }
    let data = try reader.string("data")
    let rows = try reader.int("rows", default: 0)
    let output = try reader.string("output")
    var fields: [(key: String, value: Value)] = [
      ("baseline", .string(baseline)), ("models", .list(list)), ("data", .string(data)),
      ("rows", .int(rows)), ("output", .string(output)),
    ]
    try ResultTable.readOptions(&reader, title: "Baseline and ablated models", into: &fields)
    try reader.finish()
    return .map(fields)
  }

  struct Row {
    var path: String
    var droppedTracks: Int
    var droppedVertices: Int
    var configuration: InteractionNetwork.Configuration
    var parameters: Int
    var auc: Double
    var fidelity: Double
    var sparsity: [Double]
    var meanSparsity: Double { sparsity.reduce(0, +) / Double(max(sparsity.count, 1)) }
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let dataPath = config["data"]?.stringValue ?? ""
    let file = try HDF5File.open(root + "/" + dataPath)
    defer { file.close() }
    let baselinePath = config["baseline"]?.stringValue ?? ""
    let paths = [baselinePath] + (config["models"]?.listValue?.compactMap(\.stringValue) ?? [])
    var limit = config["rows"]?.intValue ?? 0
    Training.reuseLargeAllocations()
    var rows: [Row] = []
    var baselineScores: [Double] = []
    var baselineNames: (tracks: [String], vertices: [String]) = ([], [])
    for path in paths {
      let json = try FileIO.readText(root + "/" + path + "/model.json")
      guard
        case .interactionNetwork(let model) = try ModelImporter.load(
          json: json, safetensors: try FileIO.read(root + "/" + path + "/model.safetensors"))
      else { throw StageError("compare: \(path) is not an interaction network") }
      let inputs = try JetInputs(model: model, json: json, file: file, path: dataPath)
      if limit <= 0 || limit > inputs.rows { limit = inputs.rows }
      let jets = try inputs.block(0..<limit)
      let scores = Training.predict(model, jets, batchSize: 512).map {
        Double($0[min(1, $0.count - 1)])
      }
      if rows.isEmpty {
        baselineScores = scores
        baselineNames = (inputs.trackNames, inputs.vertexNames)
      }
      let activity = RelativeNeuralActivity(
        model: model, tracks: jets.tracks, vertices: jets.vertices, labels: jets.labels)
      let row = Row(
        path: path,
        droppedTracks: Set(baselineNames.tracks).subtracting(inputs.trackNames).count,
        droppedVertices: Set(baselineNames.vertices).subtracting(inputs.vertexNames).count,
        configuration: model.configuration, parameters: model.parameterCount,
        auc: try ROC(scores: scores, labels: jets.labels).auc,
        fidelity: Metrics.fidelity(baselineScores, scores) * 100, sparsity: activity.sparsity)
      print(
        "compare: \(path): \(row.parameters) parameters, AUC \(fixed(row.auc * 100, 2))%, fidelity \(fixed(row.fidelity, 2))%, sparsity \(fixed(row.meanSparsity, 2))"
      )
      rows.append(row)
    }
    let table = ResultTable(
      title: config["title"]?.stringValue ?? "Baseline and ablated models",
      columns: [
        "model", "ΔP, ΔS", "h, D_E, D_O", "parameters", "AUC [%]", "fidelity [%]", "sparsity",
      ],
      rows: rows.map { r in
        let c = r.configuration
        return [
          r.path, "\(r.droppedTracks), \(r.droppedVertices)",
          "\(c.hidden), \(c.edgeFeatures), \(c.outputFeatures)", grouped(r.parameters),
          fixed(r.auc * 100, 2), fixed(r.fidelity, 2), fixed(r.meanSparsity, 2),
        ]
      },
      note:
        "\(limit) test jets of \(dataPath). ΔP, ΔS: track and vertex features the model leaves out "
        + "relative to the baseline (\(baselinePath)). Fidelity: 1 − mean |ŷ − ŷ_baseline| of "
        + "P(class 1). Sparsity: fraction of hidden nodes with relative neural activity < 0.2, "
        + "mean over the classes.")
    try table.write(
      [
        ("data", .string(dataPath)), ("rows", .int(limit)), ("baseline", .string(baselinePath)),
        (
          "models",
          .list(
            rows.map { r in
              let c = r.configuration
              return .map([
                ("model", .string(r.path)), ("dropped_tracks", .int(r.droppedTracks)),
                ("dropped_vertices", .int(r.droppedVertices)), ("hidden", .int(c.hidden)),
                ("edge_features", .int(c.edgeFeatures)),
                ("output_features", .int(c.outputFeatures)),
                ("parameters", .int(r.parameters)), ("auc", .double(r.auc)),
                ("fidelity_percent", .double(r.fidelity)), ("sparsity", .double(r.meanSparsity)),
                ("sparsity_per_class", .list(r.sparsity.map(Value.double))),
              ])
            })
        ),
      ], config: config, root: root)
  }
}

/// `x` with `digits` decimals ("98.87").
func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

/// 25554 → "25,554".
func grouped(_ n: Int) -> String {
  let digits = Array(String(n.magnitude))
  var out = ""
  for (i, d) in digits.enumerated() {
    if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
    out.append(d)
  }
  return (n < 0 ? "-" : "") + out
}
