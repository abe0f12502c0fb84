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

/// `uses: evaluate`: runs a model directory (from `train` or `import`) on a test split and writes
/// a metrics JSON. Interaction network: `auc` (class 1 vs the rest, scikit-learn's definition),
/// `accuracy`, `accuracy_<class>`; BraggNN: peak-position error statistics in pixels.
///
/// ```yaml
/// with:
///   model: models/in
///   data: features/test.h5
///   output: metrics/evaluate.json
///   gates: {auc: {min: 0.9, max_drop: 0.005}}    # checked by `fairflow check`
///   baseline: metrics/baseline.json               # optional; or `fairflow check --rev REV`
/// ```
public struct EvaluateStage: BuiltinStage {
  public let name = "evaluate"
  public let version = 2  // 2: deterministic kernels (issue 17)

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let model = try reader.string("model")
    let data = try reader.string("data")
    let output = try reader.string("output")
    var fields: [(key: String, value: Value)] = [
      ("model", .string(model)), ("data", .string(data)), ("output", .string(output)),
    ]
    if let gates = reader.value("gates") {
      fields.append(
        ("gates", .map(try Gate.parse(gates) { reader.error($0) }.map { ($0.metric, $0.value) })))
    }
    if let plots = reader.value("plots") {
      guard case .string = plots else {
        throw reader.error("'plots' must be a directory (declared in outs)")
      }
      fields.append(("plots", plots))
    }
    if let baseline = reader.value("baseline") {
      guard case .string = baseline else {
        throw reader.error("'baseline' must be a metrics file path")
      }
      fields.append(("baseline", baseline))
    }
    try reader.finish()
    return .map(fields)
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let directory = root + "/" + (config["model"]?.stringValue ?? "")
    let json = try FileIO.readText(directory + "/model.json")
    let model = try ModelImporter.load(
      json: json, safetensors: try FileIO.read(directory + "/model.safetensors"))
    let dataPath = config["data"]?.stringValue ?? ""
    let file = try HDF5File.open(root + "/" + dataPath)
    defer { file.close() }
    var metrics: [(key: String, value: Value)] = []
    switch model {
    case .interactionNetwork(let m):
      let inputs = try JetInputs(model: m, json: json, file: file, path: dataPath)
      let n = inputs.rows
      var probabilities: [[Float]] = []
      var classes: [Int] = []
      for lo in stride(from: 0, to: n, by: 4096) {
        let set = try inputs.block(lo..<min(n, lo + 4096))
        probabilities += Training.predict(m, set)
        classes += set.labels
      }
      let scores = probabilities.map { Double($0[min(1, $0.count - 1)]) }
      let roc = try ROC(scores: scores, labels: classes)
      if let plots = config["plots"]?.stringValue {
        let name = "AUC \((roc.auc * 10000).rounded() / 10000)"
        try FileIO.writeAtomically(
          Array(
            SVGPlot(title: "ROC curve", xLabel: "false positive rate", yLabel: "true positive rate")
              .lines(
                [.init(name: name, x: roc.falsePositiveRate, y: roc.truePositiveRate)],
                diagonal: true, xRange: 0...1, yRange: 0...1
              ).utf8), to: root + "/" + plots + "/roc.svg")
      }
      metrics = [
        ("rows", .int(n)), ("auc", .double(roc.auc)),
        ("accuracy", .double(Metrics.accuracy(probabilities: probabilities, labels: classes))),
      ]
      for (c, a) in Metrics.classAccuracy(
        probabilities: probabilities, labels: classes, classes: m.configuration.classes
      ).enumerated() {
        metrics.append(("accuracy_\(c)", .double(a)))
      }
    case .braggNN(let m):
      let patches = try file.root.inputDataset("patch")
      let positions = try file.root.inputDataset("ploc")
      let shape = try patches.shape
      let p = m.configuration.patch
      guard shape.count == 4, shape.dropFirst() == [1, p, p], try positions.shape == [shape[0], 2]
      else {
        throw StageError(
          "test data shapes patch \(shape), ploc \(try positions.shape) do not fit the model (patch [N, 1, \(p), \(p)], ploc [N, 2])"
        )
      }
      let pixels = try patches.read(as: Float.self)
      let truth = try positions.read(as: Float.self)
      let predicted = Training.predict(m, patches: Tensor(shape: shape, data: pixels))
      // The conventional baseline: each patch's intensity-weighted centre of mass.
      var centres: [Float] = []
      for i in 0..<shape[0] {
        var (sx, sy, total) = (0.0, 0.0, 0.0)
        for y in 0..<p {
          for x in 0..<p {
            let v = Double(max(0, pixels[(i * p + y) * p + x]))
            sx += v * Double(x)
            sy += v * Double(y)
            total += v
          }
        }
        centres +=
          total > 0 ? [Float(sx / total / Double(p)), Float(sy / total / Double(p))] : [0.5, 0.5]
      }
      if let plots = config["plots"]?.stringValue {
        let distances = stride(from: 0, to: predicted.count, by: 2).map { i -> Double in
          let dx = Double(predicted[i] - truth[i])
          let dy = Double(predicted[i + 1] - truth[i + 1])
          return Double(p) * (dx * dx + dy * dy).squareRoot()
        }
        try FileIO.writeAtomically(
          Array(
            SVGPlot(title: "Peak position error", xLabel: "distance (pixels)", yLabel: "patches")
              .histogram(distances).utf8), to: root + "/" + plots + "/distances.svg")
      }
      metrics = [("rows", .int(shape[0]))]
      metrics += Metrics.distances(predicted: predicted, truth: truth, patch: p).map {
        ($0.0, .double($0.1))
      }
      metrics += Metrics.distances(predicted: centres, truth: truth, patch: p).map {
        ("center_of_mass_" + $0.0, .double($0.1))
      }
    }
    let output = root + "/" + (config["output"]?.stringValue ?? "metrics.json")
    try FileIO.writeAtomically(Array(Value.map(metrics).prettyJSON.utf8), to: output)
    print(
      "evaluate: "
        + metrics.map { "\($0.key) \($0.value.interpolationText)" }.joined(separator: ", "))
  }
}
