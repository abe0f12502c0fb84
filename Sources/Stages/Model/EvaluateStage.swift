public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore
internal import HDF5
internal import Metrics
internal import ModelImport
internal import NeuralKit
internal import Plots

/// `uses: evaluate`: runs a model directory (from `train` or `import`) on a test split and writes
/// a metrics JSON. Interaction network: `auc` (class 1 vs the rest, scikit-learn's definition),
/// `accuracy`, `accuracy_<class>`; BraggNN: peak-position error statistics in pixels, and the
/// same for each patch's centre of mass (the conventional estimate). See `EvaluateConfig`.
public struct EvaluateStage: TypedStage {
  public typealias Configuration = EvaluateConfig
  public let name = "evaluate"
  /// 2: deterministic kernels (issue 17); 3: `roc.json` (the curve's points) beside `roc.svg`.
  public let version = 3

  public init() {}

  public func run(_ config: EvaluateConfig, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let directory = try ModelDirectory(config.model, root: root)
    let plots = config.plots.map { root + "/" + $0 }
    let metrics = try TestSplit.reading(config.data, root: root) { file in
      switch directory.model {
      case .interactionNetwork(let network):
        return try classifierMetrics(
          network, inputs: directory.jetInputs(network, file: file, path: config.data),
          plots: plots)
      case .braggNN(let network):
        return try peakMetrics(network, file: file, plots: plots)
      }
    }
    try FileIO.writeAtomically(
      Array(Value.map(metrics).prettyJSON.utf8), to: root + "/" + config.output)
    print(
      "evaluate: "
        + metrics.map { "\($0.key) \($0.value.interpolationText)" }.joined(separator: ", "))
  }

  /// Rows, AUC (class 1 vs the rest), accuracy and per-class accuracy; the ROC curve in `plots`
  /// (`roc.svg`, and its points in `roc.json`).
  private func classifierMetrics(
    _ network: InteractionNetwork, inputs: JetInputs, plots: String?
  ) throws -> [(key: String, value: Value)] {
    let n = inputs.rows
    var probabilities: [[Float]] = []
    var classes: [Int] = []
    for lo in stride(from: 0, to: n, by: 4096) {
      let set = try inputs.block(lo..<min(n, lo + 4096))
      probabilities += Training.predict(network, set)
      classes += set.labels
    }
    let scores = probabilities.map { Double($0[min(1, $0.count - 1)]) }
    let roc = try ROC(scores: scores, labels: classes)
    if let plots {
      try FileIO.writeAtomically(Array(roc.svg.utf8), to: plots + "/roc.svg")
      try FileIO.writeAtomically(Array(roc.curveJSON().utf8), to: plots + "/roc.json")
    }
    var metrics: [(key: String, value: Value)] = [
      ("rows", .int(n)), ("auc", .double(roc.auc)),
      ("accuracy", .double(Metrics.accuracy(probabilities: probabilities, labels: classes))),
    ]
    for (c, a) in Metrics.classAccuracy(
      probabilities: probabilities, labels: classes, classes: network.configuration.classes
    ).enumerated() {
      metrics.append(("accuracy_\(c)", .double(a)))
    }
    return metrics
  }

  /// Rows and the peak-position error statistics of the network and of the patches' centres of
  /// mass (`patch` [N, 1, P, P], `ploc` [N, 2]); the network's error histogram in `plots`.
  private func peakMetrics(_ network: BraggNN, file: HDF5File, plots: String?) throws
    -> [(key: String, value: Value)]
  {
    let patches = try file.root.inputDataset("patch")
    let positions = try file.root.inputDataset("ploc")
    let shape = try patches.shape
    let p = network.configuration.patch
    guard shape.count == 4, shape.dropFirst() == [1, p, p], try positions.shape == [shape[0], 2]
    else {
      throw StageError(
        "test data shapes patch \(shape), ploc \(try positions.shape) do not fit the model (patch [N, 1, \(p), \(p)], ploc [N, 2])"
      )
    }
    let pixels = try patches.read(as: Float.self)
    let truth = try positions.read(as: Float.self)
    let predicted = Training.predict(network, patches: Tensor(shape: shape, data: pixels))
    let centres = Self.centresOfMass(pixels, patches: shape[0], size: p)
    if let plots {
      try FileIO.writeAtomically(
        Array(Self.distanceHistogram(predicted, truth, size: p).utf8),
        to: plots + "/distances.svg")
    }
    var metrics: [(key: String, value: Value)] = [("rows", .int(shape[0]))]
    metrics += Metrics.distances(predicted: predicted, truth: truth, patch: p).map {
      ($0.0, .double($0.1))
    }
    metrics += Metrics.distances(predicted: centres, truth: truth, patch: p).map {
      ("center_of_mass_" + $0.0, .double($0.1))
    }
    return metrics
  }

  /// The conventional baseline: each patch's intensity-weighted centre of mass, as a fraction of
  /// the patch (the centre for an empty patch).
  static func centresOfMass(_ pixels: [Float], patches: Int, size p: Int) -> [Float] {
    var centres: [Float] = []
    for i in 0..<patches {
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
    return centres
  }

  /// The histogram of the predicted peaks' distances from the true ones, in pixels.
  static func distanceHistogram(_ predicted: [Float], _ truth: [Float], size p: Int) -> String {
    let distances = stride(from: 0, to: predicted.count, by: 2).map { i -> Double in
      let dx = Double(predicted[i] - truth[i])
      let dy = Double(predicted[i + 1] - truth[i + 1])
      return Double(p) * (dx * dx + dy * dy).squareRoot()
    }
    return SVGPlot(title: "Peak position error", xLabel: "distance (pixels)", yLabel: "patches")
      .histogram(distances)
  }
}
