internal import FairflowBase
internal import FairflowStore
internal import Plots

/// `interpret`'s `rna` method: the relative neural activity of every hidden node per class
/// (`RelativeNeuralActivity`), each class's sparsity, and their charts (the study's Figure 6 and
/// the NAP diagram).
struct NeuralActivityReport {
  let activity: RelativeNeuralActivity

  init(_ jets: InterpretedJets) {
    activity = RelativeNeuralActivity(
      model: jets.model, tracks: jets.tracks, vertices: jets.vertices, labels: jets.labels)
  }

  /// `rna` in interpret.json: per class its sparsity and each layer's node activities.
  var value: Value {
    let sparsities = activity.sparsity
    return .list(
      activity.rna.enumerated().map { k, layers in
        .map([
          ("class", .int(k)), ("sparsity", .double(sparsities[k])),
          (
            "rna",
            .map(
              zip(RelativeNeuralActivity.layerNames, layers).map {
                ($0, .list($1.map(Value.double)))
              })
          ),
        ])
      })
  }

  /// rna-sparsity.svg, and nap.svg for two classes.
  func writePlots(in output: String) throws {
    let sparsities = activity.sparsity
    try FileIO.writeAtomically(
      Array(
        SVGPlot(
          title: "Sparsity (fraction of nodes with RNA < 0.2)", xLabel: "class",
          yLabel: "sparsity"
        )
        .bars(labels: (0..<sparsities.count).map { "class \($0)" }, values: sparsities).utf8),
      to: output + "/rna-sparsity.svg")
    if activity.rna.count == 2 {
      try FileIO.writeAtomically(Array(napDiagram.utf8), to: output + "/nap.svg")
    }
  }

  /// NAP diagram: nodes × layers, −RNA(class 0) | +RNA(class 1) side by side per layer.
  private var napDiagram: String {
    let layerNames = RelativeNeuralActivity.layerNames
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
    return SVGPlot(
      title: "NAP diagram: −RNA class 0 | +RNA class 1", xLabel: "layer", yLabel: "node"
    )
    .heatmap(grid, rowLabels: (0..<widest).map { "\($0)" }, columnLabels: columns, limit: 1)
  }
}
