public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import HDF5
internal import NeuralKit

/// `uses: compare`: interaction networks side by side on one test split, against a baseline —
/// the study's Table 10 (baseline and ablated models; hbb-in.md §8.8). Per model
/// (`ComparedModel`): the features it leaves out relative to the baseline (ΔP tracks, ΔS
/// vertices, by name), h / D_E / D_O, trainable parameters, AUC (class 1 vs the rest), fidelity
/// to the baseline (eq. 1 on P(class 1), percent) and sparsity (fraction of nodes with RNA < 0.2,
/// the mean over the classes, as the paper's single number is). Every model reads the same jets:
/// its own features picked by name. See `CompareConfig`.
public struct CompareStage: TypedStage {
  public typealias Configuration = CompareConfig
  public let name = "compare"
  public let version = 2  // 2: deterministic kernels (issue 17)

  public init() {}

  public func run(_ config: CompareConfig, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    var limit = config.rows
    let rows = try TestSplit.reading(config.data, root: root) { file in
      Training.reuseLargeAllocations()
      var rows: [ComparedModel] = []
      for path in [config.baseline] + config.models {
        let row = try ComparedModel(
          path, root: root, file: file, data: config.data, limit: &limit, baseline: rows.first)
        print(
          "compare: \(path): \(row.parameters) parameters, AUC \(fixed(row.auc * 100, 2))%, fidelity \(fixed(row.fidelity, 2))%, sparsity \(fixed(row.meanSparsity, 2))"
        )
        rows.append(row)
      }
      return rows
    }
    try table(rows, jets: limit, config: config).write(
      [
        ("data", .string(config.data)), ("rows", .int(limit)),
        ("baseline", .string(config.baseline)), ("models", .list(rows.map(\.value))),
      ], output: root + "/" + config.output, markdown: config.table.map { root + "/" + $0 })
  }

  /// Table 10: one row per model.
  private func table(_ rows: [ComparedModel], jets: Int, config: CompareConfig) -> ResultTable {
    ResultTable(
      title: config.title,
      columns: [
        "model", "ΔP, ΔS", "h, D_E, D_O", "parameters", "AUC [%]", "fidelity [%]", "sparsity",
      ],
      rows: rows.map(\.cells),
      note:
        "\(jets) test jets of \(config.data). ΔP, ΔS: track and vertex features the model leaves out "
        + "relative to the baseline (\(config.baseline)). Fidelity: 1 − mean |ŷ − ŷ_baseline| of "
        + "P(class 1). Sparsity: fraction of hidden nodes with relative neural activity < 0.2, "
        + "mean over the classes.")
  }
}
