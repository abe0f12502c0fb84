internal import NeuralKit

/// The jets an `interpret` stage explains, read whole in the model's feature order: inputs,
/// classes and feature names, with the model that scores them.
struct InterpretedJets {
  let model: InteractionNetwork
  /// [jets, track features, track slots] and [jets, vertex features, vertex slots].
  let tracks: Tensor
  let vertices: Tensor
  /// Each jet's class.
  let labels: [Int]
  let trackNames: [String]
  let vertexNames: [String]

  /// The first `rows` jets of `inputs` (all when `rows` ≤ 0 or more than it has).
  init(_ model: InteractionNetwork, inputs: JetInputs, rows: Int) throws {
    var n = inputs.rows
    if rows > 0 { n = min(n, rows) }
    let all = try inputs.block(0..<n)
    self.model = model
    (tracks, vertices, labels) = (all.tracks, all.vertices, all.labels)
    (trackNames, vertexNames) = (inputs.trackNames, inputs.vertexNames)
  }

  var count: Int { labels.count }
  var configuration: InteractionNetwork.Configuration { model.configuration }

  /// P(class 1) per jet for these inputs, or for replaced (masked) ones.
  func scores(tracks x: Tensor? = nil, vertices y: Tensor? = nil) -> [Double] {
    model.classOneScores(JetSet(tracks: x ?? tracks, vertices: y ?? vertices, labels: labels))
  }
}
