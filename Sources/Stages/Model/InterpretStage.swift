public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import HDF5
internal import Metrics
internal import ModelImport
internal import NeuralKit
internal import Plots
public import FairflowBase

/// `uses: interpret` for the interaction network (reference: hbb-in.md §6):
/// - `masking`: ΔAUC (percent) of zeroing each track and vertex feature alone, then, for each
///   threshold, zeroing together every feature whose ΔAUC is below it (features masked, AUC,
///   fidelity F = 1 − mean |ŷ − ŷ_masked| of P(class 1), in percent);
/// - `rna`: weighted relative neural activity per node of the nine hidden layers, per class, and
///   the sparsity (fraction of nodes with RNA < 0.2).
/// Writes `interpret.json` and SVG charts into `output`.
public struct InterpretStage: BuiltinStage {
  public let name = "interpret"
  public let version = 2  // 2: deterministic kernels (issue 17)

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let model = try reader.string("model")
    let data = try reader.string("data")
    let output = try reader.string("output")
    var methods: [Value] = [.string("masking"), .string("rna"), .string("lrp")]
    if let m = reader.value("methods") {
      guard let list = m.listValue, !list.isEmpty,
        list.allSatisfy({ ["masking", "rna", "lrp"].contains($0.stringValue ?? "") })
      else { throw reader.error("'methods' must be a list of masking, rna, lrp") }
      methods = list
    }
    var thresholds: [Value] = [0.001, 0.005, 0.01, 0.05, 1].map(Value.double)
    if let t = reader.value("thresholds") {
      guard let list = t.listValue, list.allSatisfy({ $0.doubleValue != nil }) else {
        throw reader.error("'thresholds' must be a list of numbers (ΔAUC in percent)")
      }
      thresholds = list.map { .double($0.doubleValue!) }
    }
    let rows = try reader.int("rows", default: 0)
    let lrpRows = try reader.int("lrp_rows", default: 200)
    var gamma = 2.0
    if let g = reader.value("gamma") {
      guard let d = g.doubleValue, d >= 0 else {
        throw reader.error("'gamma' must be a number ≥ 0")
      }
      gamma = d
    }
    try reader.finish()
    return .map([
      ("model", .string(model)), ("data", .string(data)), ("output", .string(output)),
      ("methods", .list(methods)), ("thresholds", .list(thresholds)), ("rows", .int(rows)),
      ("lrp_rows", .int(lrpRows)), ("gamma", .double(gamma)),
    ])
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let directory = root + "/" + (config["model"]?.stringValue ?? "")
    let json = try FileIO.readText(directory + "/model.json")
    guard
      case .interactionNetwork(let model) = try ModelImporter.load(
        json: json, safetensors: try FileIO.read(directory + "/model.safetensors"))
    else { throw StageError("interpret supports the interaction network") }
    Training.reuseLargeAllocations()
    let dataPath = config["data"]?.stringValue ?? ""
    let file = try HDF5File.open(root + "/" + dataPath)
    defer { file.close() }
    let inputs = try JetInputs(model: model, json: json, file: file, path: dataPath)
    let c = model.configuration
    var n = inputs.rows
    if let limit = config["rows"]?.intValue, limit > 0 { n = min(n, limit) }
    let all = try inputs.block(0..<n)
    let (tracks, vertices, labels) = (all.tracks, all.vertices, all.labels)
    let trackNames = inputs.trackNames
    let vertexNames = inputs.vertexNames
    let output = root + "/" + (config["output"]?.stringValue ?? "interpret")
    try FileIO.makeDirectories(output)
    var result: [(key: String, value: Value)] = [("rows", .int(n))]
    let methods = config["methods"]?.listValue?.compactMap(\.stringValue) ?? []

    func score(_ x: Tensor, _ y: Tensor) -> [Double] {
      Training.predict(model, JetSet(tracks: x, vertices: y, labels: labels), batchSize: 512)
        .map { Double($0[min(1, $0.count - 1)]) }
    }
    func masked(_ x: Tensor, features: [Int], objects: Int) -> Tensor {
      var out = x
      let per = x.shape[1] * objects
      for i in 0..<n {
        for f in features { for k in 0..<objects { out.data[i * per + f * objects + k] = 0 } }
      }
      return out
    }
    let baseScores = score(tracks, vertices)
    let baseAUC = try ROC(scores: baseScores, labels: labels)
    try FileIO.writeAtomically(
      Array(
        SVGPlot(title: "ROC curve", xLabel: "false positive rate", yLabel: "true positive rate")
          .lines(
            [
              .init(
                name: "AUC \((baseAUC.auc * 10000).rounded() / 10000)",
                x: baseAUC.falsePositiveRate, y: baseAUC.truePositiveRate)
            ],
            diagonal: true, xRange: 0...1, yRange: 0...1
          ).utf8),
      to: output + "/roc.svg")
    result.append(("auc", .double(baseAUC.auc)))

    if methods.contains("masking") {
      print(
        "interpret: masking \(c.trackFeatures) track and \(c.vertexFeatures) vertex features on \(n) jets"
      )
      var trackDelta: [Double] = []
      for f in 0..<c.trackFeatures {
        trackDelta.append(
          (baseAUC.auc
            - (try ROC(
              scores: score(masked(tracks, features: [f], objects: c.tracks), vertices),
              labels: labels)).auc) * 100)
      }
      var vertexDelta: [Double] = []
      for f in 0..<c.vertexFeatures {
        vertexDelta.append(
          (baseAUC.auc
            - (try ROC(
              scores: score(tracks, masked(vertices, features: [f], objects: c.vertices)),
              labels: labels)).auc) * 100)
      }
      var thresholdRows: [Value] = []
      for th in config["thresholds"]?.listValue?.compactMap(\.doubleValue) ?? [] {
        let mt = (0..<c.trackFeatures).filter { trackDelta[$0] < th }
        let mv = (0..<c.vertexFeatures).filter { vertexDelta[$0] < th }
        let s = score(
          masked(tracks, features: mt, objects: c.tracks),
          masked(vertices, features: mv, objects: c.vertices))
        thresholdRows.append(
          .map([
            ("threshold_percent", .double(th)), ("tracks_masked", .int(mt.count)),
            ("vertices_masked", .int(mv.count)),
            ("auc", .double(try ROC(scores: s, labels: labels).auc)),
            ("fidelity_percent", .double(Metrics.fidelity(baseScores, s) * 100)),
          ]))
      }
      result.append(
        (
          "masking",
          .map([
            (
              "tracks",
              .list(
                zip(trackNames, trackDelta).map {
                  .map([("feature", .string($0)), ("delta_auc_percent", .double($1))])
                })
            ),
            (
              "vertices",
              .list(
                zip(vertexNames, vertexDelta).map {
                  .map([("feature", .string($0)), ("delta_auc_percent", .double($1))])
                })
            ),
            ("thresholds", .list(thresholdRows)),
          ])
        ))
      try FileIO.writeAtomically(
        Array(
          SVGPlot(
            title: "ΔAUC when one track feature is masked", xLabel: "track feature",
            yLabel: "ΔAUC (%)"
          )
          .bars(labels: trackNames, values: trackDelta).utf8), to: output + "/masking-tracks.svg")
      try FileIO.writeAtomically(
        Array(
          SVGPlot(
            title: "ΔAUC when one vertex feature is masked", xLabel: "vertex feature",
            yLabel: "ΔAUC (%)"
          )
          .bars(labels: vertexNames, values: vertexDelta).utf8),
        to: output + "/masking-vertices.svg")
    }

    if methods.contains("rna") {
      let activity = RelativeNeuralActivity(
        model: model, tracks: tracks, vertices: vertices, labels: labels)
      let layerNames = RelativeNeuralActivity.layerNames
      let sparsities = activity.sparsity
      let perClass: [Value] = activity.rna.enumerated().map { k, layers in
        .map([
          ("class", .int(k)), ("sparsity", .double(sparsities[k])),
          (
            "rna",
            .map(zip(layerNames, layers).map { ($0, .list($1.map(Value.double))) })
          ),
        ])
      }
      result.append(("rna", .list(perClass)))
      try FileIO.writeAtomically(
        Array(
          SVGPlot(
            title: "Sparsity (fraction of nodes with RNA < 0.2)", xLabel: "class",
            yLabel: "sparsity"
          )
          .bars(labels: (0..<sparsities.count).map { "class \($0)" }, values: sparsities).utf8),
        to: output + "/rna-sparsity.svg")
      // NAP diagram: nodes × layers, −RNA(class 0) | +RNA(class 1) side by side per layer.
      if activity.rna.count == 2 {
        let widest = activity.rna[0].map(\.count).max() ?? 0
        var grid = [[Double]](repeating: [], count: widest)
        var columns: [String] = []
        for li in 0..<layerNames.count {
          for (k, sign) in [(0, -1.0), (1, 1.0)] {
            let a = activity.rna[k][li]
            for node in 0..<widest { grid[node].append(node < a.count ? sign * a[node] : .nan) }
            columns.append(layerNames[li] + (k == 0 ? " (0)" : " (1)"))
          }
        }
        try FileIO.writeAtomically(
          Array(
            SVGPlot(
              title: "NAP diagram: −RNA class 0 | +RNA class 1", xLabel: "layer", yLabel: "node"
            )
            .heatmap(grid, rowLabels: (0..<widest).map { "\($0)" }, columnLabels: columns, limit: 1)
            .utf8),
          to: output + "/nap.svg")
      }
    }
    if methods.contains("lrp") {
      // LRP-γ (the study's settings: γ = 2, ε = 0.4, target = the true class), averaged per class.
      let m = min(n, config["lrp_rows"]?.intValue ?? 200)
      let gamma = config["gamma"]?.doubleValue ?? 2
      let x = Tensor(
        shape: [m, c.trackFeatures, c.tracks],
        data: Array(tracks.data[0..<(m * c.trackFeatures * c.tracks)]))
      let y = Tensor(
        shape: [m, c.vertexFeatures, c.vertices],
        data: Array(vertices.data[0..<(m * c.vertexFeatures * c.vertices)]))
      let (rt, rv) = model.relevance(
        tracks: x, vertices: y, targets: Array(labels[0..<m]), rule: .gamma(gamma))
      var perClass: [Value] = []
      for k in 0..<c.classes {
        let jets = (0..<m).filter { labels[$0] == k }
        var feature = [Double](repeating: 0, count: c.trackFeatures)
        var object = [Double](repeating: 0, count: c.tracks)
        var vertexFeature = [Double](repeating: 0, count: c.vertexFeatures)
        for b in jets {
          for f in 0..<c.trackFeatures {
            for o in 0..<c.tracks {
              let r = rt[(b * c.trackFeatures + f) * c.tracks + o]
              feature[f] += r
              object[o] += r
            }
          }
          for f in 0..<c.vertexFeatures {
            for o in 0..<c.vertices {
              vertexFeature[f] += rv[(b * c.vertexFeatures + f) * c.vertices + o]
            }
          }
        }
        let count = Double(max(jets.count, 1))
        perClass.append(
          .map([
            ("class", .int(k)), ("jets", .int(jets.count)),
            ("track_features", .map(zip(trackNames, feature).map { ($0, .double($1 / count)) })),
            ("track_slots", .list(object.map { .double($0 / count) })),
            (
              "vertex_features",
              .map(zip(vertexNames, vertexFeature).map { ($0, .double($1 / count)) })
            ),
          ]))
        try FileIO.writeAtomically(
          Array(
            SVGPlot(
              title: "Mean LRP-γ relevance per track feature, class \(k)", xLabel: "track feature",
              yLabel: "relevance"
            )
            .bars(labels: trackNames, values: feature.map { $0 / count }).utf8),
          to: output + "/lrp-class\(k).svg")
        var cells = [[Double]](
          repeating: [Double](repeating: 0, count: c.tracks), count: c.trackFeatures)
        for b in jets {
          for f in 0..<c.trackFeatures {
            for o in 0..<c.tracks {
              cells[f][o] += rt[(b * c.trackFeatures + f) * c.tracks + o] / count
            }
          }
        }
        try FileIO.writeAtomically(
          Array(
            SVGPlot(
              title: "LRP relevance per feature and track slot, class \(k)", xLabel: "track slot",
              yLabel: "feature"
            )
            .heatmap(cells, rowLabels: trackNames, columnLabels: (0..<c.tracks).map { "\($0)" })
            .utf8),
          to: output + "/lrp-slots-class\(k).svg")
      }
      result.append(
        (
          "lrp",
          .map([
            ("rule", .string("gamma")), ("gamma", .double(gamma)), ("rows", .int(m)),
            ("classes", .list(perClass)),
          ])
        ))
    }
    try FileIO.writeAtomically(
      Array(Value.map(result).prettyJSON.utf8), to: output + "/interpret.json")
    print("interpret: wrote \(output)/interpret.json")
  }
}

extension Value {
  var doubleValue: Double? {
    switch self {
    case .double(let d): return d
    case .int(let i): return Double(i)
    default: return nil
    }
  }
}
