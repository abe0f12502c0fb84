internal import FairflowBase
internal import FairflowStore
internal import NeuralKit
internal import Plots

/// `interpret`'s `lrp` method: LRP-γ relevance (the study's settings: γ = 2, ε = 0.4, target =
/// the true class) of the first `rows` jets, averaged per class: per track feature, per track
/// slot, per vertex feature, and per feature and slot (the study's Figures 5 and 8).
struct RelevanceReport {
  /// The mean relevances of one class's jets.
  struct ClassMeans {
    var jets: Int
    /// [track feature], [track slot], [vertex feature], [track feature][track slot].
    var trackFeatures: [Double]
    var trackSlots: [Double]
    var vertexFeatures: [Double]
    var cells: [[Double]]
  }

  let rows: Int
  let gamma: Double
  let classes: [ClassMeans]
  let trackNames: [String]
  let vertexNames: [String]

  init(_ jets: InterpretedJets, rows: Int, gamma: Double) {
    let c = jets.configuration
    let m = min(jets.count, rows)
    let x = Tensor(
      shape: [m, c.trackFeatures, c.tracks],
      data: Array(jets.tracks.data[0..<(m * c.trackFeatures * c.tracks)]))
    let y = Tensor(
      shape: [m, c.vertexFeatures, c.vertices],
      data: Array(jets.vertices.data[0..<(m * c.vertexFeatures * c.vertices)]))
    let (rt, rv) = jets.model.relevance(
      tracks: x, vertices: y, targets: Array(jets.labels[0..<m]), rule: .gamma(gamma))
    classes = (0..<c.classes).map { k in
      Self.means(
        of: (0..<m).filter { jets.labels[$0] == k }, tracks: rt, vertices: rv, configuration: c)
    }
    (self.rows, self.gamma) = (m, gamma)
    (trackNames, vertexNames) = (jets.trackNames, jets.vertexNames)
  }

  /// The mean relevances over `jets` (rows of `rt` [jets, track features, track slots] and `rv`
  /// [jets, vertex features, vertex slots]).
  static func means(
    of jets: [Int], tracks rt: [Double], vertices rv: [Double],
    configuration c: InteractionNetwork.Configuration
  ) -> ClassMeans {
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
    var cells = [[Double]](
      repeating: [Double](repeating: 0, count: c.tracks), count: c.trackFeatures)
    for b in jets {
      for f in 0..<c.trackFeatures {
        for o in 0..<c.tracks {
          cells[f][o] += rt[(b * c.trackFeatures + f) * c.tracks + o] / count
        }
      }
    }
    return ClassMeans(
      jets: jets.count, trackFeatures: feature.map { $0 / count },
      trackSlots: object.map { $0 / count }, vertexFeatures: vertexFeature.map { $0 / count },
      cells: cells)
  }

  /// `lrp` in interpret.json.
  var value: Value {
    .map([
      ("rule", .string("gamma")), ("gamma", .double(gamma)), ("rows", .int(rows)),
      (
        "classes",
        .list(
          classes.enumerated().map { k, means in
            .map([
              ("class", .int(k)), ("jets", .int(means.jets)),
              (
                "track_features",
                .map(zip(trackNames, means.trackFeatures).map { ($0, .double($1)) })
              ),
              ("track_slots", .list(means.trackSlots.map(Value.double))),
              (
                "vertex_features",
                .map(zip(vertexNames, means.vertexFeatures).map { ($0, .double($1)) })
              ),
            ])
          })
      ),
    ])
  }

  /// Per class: lrp-class<k>.svg (per track feature) and lrp-slots-class<k>.svg (per feature and
  /// slot).
  func writePlots(in output: String) throws {
    for (k, means) in classes.enumerated() {
      try FileIO.writeAtomically(
        Array(
          SVGPlot(
            title: "Mean LRP-γ relevance per track feature, class \(k)", xLabel: "track feature",
            yLabel: "relevance"
          )
          .bars(labels: trackNames, values: means.trackFeatures).utf8),
        to: output + "/lrp-class\(k).svg")
      try FileIO.writeAtomically(
        Array(
          SVGPlot(
            title: "LRP relevance per feature and track slot, class \(k)", xLabel: "track slot",
            yLabel: "feature"
          )
          .heatmap(
            means.cells, rowLabels: trackNames,
            columnLabels: (0..<means.trackSlots.count).map { "\($0)" }
          )
          .utf8),
        to: output + "/lrp-slots-class\(k).svg")
    }
  }
}
