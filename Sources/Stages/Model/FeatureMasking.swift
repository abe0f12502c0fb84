internal import FairflowBase
internal import FairflowStore
internal import Metrics
internal import NeuralKit
internal import Plots

/// `interpret`'s `masking` method (hbb-in.md §6, the study's Table 9): the AUC lost (ΔAUC, in
/// percent) when each track and vertex feature alone is zeroed in every jet, then, for each
/// threshold, the AUC and the fidelity (1 − mean |ŷ − ŷ_masked| of P(class 1), in percent) with
/// every feature whose ΔAUC is below the threshold zeroed together.
struct FeatureMasking {
  /// ΔAUC in percent per track feature and per vertex feature, in model order.
  let trackDelta: [Double]
  let vertexDelta: [Double]
  let trackNames: [String]
  let vertexNames: [String]
  /// One row per threshold.
  let thresholdRows: [Value]

  init(_ jets: InterpretedJets, baseScores: [Double], baseAUC: Double, thresholds: [Double])
    throws
  {
    let c = jets.configuration
    print(
      "interpret: masking \(c.trackFeatures) track and \(c.vertexFeatures) vertex features on \(jets.count) jets"
    )
    func delta(_ scores: [Double]) throws -> Double {
      (baseAUC - (try ROC(scores: scores, labels: jets.labels)).auc) * 100
    }
    var trackDelta: [Double] = []
    for f in 0..<c.trackFeatures {
      trackDelta.append(
        try delta(jets.scores(tracks: Self.masked(jets.tracks, features: [f], objects: c.tracks))))
    }
    var vertexDelta: [Double] = []
    for f in 0..<c.vertexFeatures {
      vertexDelta.append(
        try delta(
          jets.scores(vertices: Self.masked(jets.vertices, features: [f], objects: c.vertices))))
    }
    var rows: [Value] = []
    for threshold in thresholds {
      let mt = (0..<c.trackFeatures).filter { trackDelta[$0] < threshold }
      let mv = (0..<c.vertexFeatures).filter { vertexDelta[$0] < threshold }
      let s = jets.scores(
        tracks: Self.masked(jets.tracks, features: mt, objects: c.tracks),
        vertices: Self.masked(jets.vertices, features: mv, objects: c.vertices))
      rows.append(
        .map([
          ("threshold_percent", .double(threshold)), ("tracks_masked", .int(mt.count)),
          ("vertices_masked", .int(mv.count)),
          ("auc", .double(try ROC(scores: s, labels: jets.labels).auc)),
          ("fidelity_percent", .double(Metrics.fidelity(baseScores, s) * 100)),
        ]))
    }
    (self.trackDelta, self.vertexDelta, thresholdRows) = (trackDelta, vertexDelta, rows)
    (trackNames, vertexNames) = (jets.trackNames, jets.vertexNames)
  }

  /// `x` ([jets, features, objects]) with `features` zeroed in every jet.
  static func masked(_ x: Tensor, features: [Int], objects: Int) -> Tensor {
    var out = x
    let per = x.shape[1] * objects
    for i in 0..<x.shape[0] {
      for f in features { for k in 0..<objects { out.data[i * per + f * objects + k] = 0 } }
    }
    return out
  }

  /// `masking` in interpret.json: ΔAUC per feature and the threshold rows.
  var value: Value {
    func features(_ names: [String], _ deltas: [Double]) -> Value {
      .list(
        zip(names, deltas).map {
          .map([("feature", .string($0)), ("delta_auc_percent", .double($1))])
        })
    }
    return .map([
      ("tracks", features(trackNames, trackDelta)),
      ("vertices", features(vertexNames, vertexDelta)),
      ("thresholds", .list(thresholdRows)),
    ])
  }

  /// ΔAUC bar charts: masking-tracks.svg and masking-vertices.svg.
  func writePlots(in output: String) throws {
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
}
