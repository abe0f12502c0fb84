public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore
internal import Metrics
internal import NeuralKit

/// `uses: interpret` for the interaction network (reference: hbb-in.md §6), one step per method:
/// - `masking` (`FeatureMasking`): ΔAUC (percent) of zeroing each track and vertex feature alone,
///   then, for each threshold, zeroing together every feature whose ΔAUC is below it;
/// - `rna` (`NeuralActivityReport`): weighted relative neural activity per node of the nine
///   hidden layers, per class, and the sparsity (fraction of nodes with RNA < 0.2);
/// - `lrp` (`RelevanceReport`): mean LRP-γ relevance per feature and track slot, per class.
/// Writes `interpret.json` and SVG charts into `output`. See `InterpretConfig`.
public struct InterpretStage: TypedStage {
  public typealias Configuration = InterpretConfig
  public let name = "interpret"
  // 2: deterministic kernels (issue 17). 3: the charts' margins grow to fit their labels
  // (long heat-map row labels, rotated x ticks), so its SVG outputs changed.
  public let version = 3

  public init() {}

  public func run(_ config: InterpretConfig, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let directory = try ModelDirectory(config.model, root: root)
    let model = try directory.interactionNetwork("interpret supports the interaction network")
    Training.reuseLargeAllocations()
    let jets = try TestSplit.reading(config.data, root: root) { file in
      try InterpretedJets(
        model, inputs: directory.jetInputs(model, file: file, path: config.data),
        rows: config.rows)
    }
    let output = root + "/" + config.output
    try FileIO.makeDirectories(output)
    let baseScores = jets.scores()
    let baseAUC = try ROC(scores: baseScores, labels: jets.labels)
    try FileIO.writeAtomically(Array(baseAUC.svg.utf8), to: output + "/roc.svg")
    var result: [(key: String, value: Value)] = [
      ("rows", .int(jets.count)), ("auc", .double(baseAUC.auc)),
    ]
    if config.methods.contains(.masking) {
      let masking = try FeatureMasking(
        jets, baseScores: baseScores, baseAUC: baseAUC.auc, thresholds: config.thresholds)
      try masking.writePlots(in: output)
      result.append(("masking", masking.value))
    }
    if config.methods.contains(.rna) {
      let activity = NeuralActivityReport(jets)
      try activity.writePlots(in: output)
      result.append(("rna", activity.value))
    }
    if config.methods.contains(.lrp) {
      let relevance = RelevanceReport(jets, rows: config.lrpRows, gamma: config.gamma)
      try relevance.writePlots(in: output)
      result.append(("lrp", relevance.value))
    }
    try FileIO.writeAtomically(
      Array(Value.map(result).prettyJSON.utf8), to: output + "/interpret.json")
    print("interpret: wrote \(output)/interpret.json")
  }
}
