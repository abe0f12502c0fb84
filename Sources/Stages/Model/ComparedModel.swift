internal import FairflowBase
internal import HDF5
internal import Metrics
internal import NeuralKit
internal import StageSupport

/// One row of a `compare` stage: a model measured on the test jets against the baseline (the
/// first row, whose scores and feature names the others are compared with).
struct ComparedModel {
  var path: String
  var droppedTracks: Int
  var droppedVertices: Int
  var configuration: InteractionNetwork.Configuration
  var parameters: Int
  var auc: Double
  var fidelity: Double
  var sparsity: [Double]
  /// P(class 1) per jet, and the features read (the baseline's are the reference).
  var scores: [Double]
  var trackNames: [String]
  var vertexNames: [String]
  var meanSparsity: Double { sparsity.reduce(0, +) / Double(max(sparsity.count, 1)) }

  /// Measures the model in directory `path` on the first `limit` jets of `file` (`data`);
  /// `limit` ≤ 0 or more than the split has becomes the split's size. Without `baseline` this
  /// is the baseline.
  init(
    _ path: String, root: String, file: HDF5File, data: String, limit: inout Int,
    baseline: ComparedModel?
  ) throws {
    let directory = try ModelDirectory(path, root: root)
    let model = try directory.interactionNetwork("compare: \(path) is not an interaction network")
    let inputs = try directory.jetInputs(model, file: file, path: data)
    if limit <= 0 || limit > inputs.rows { limit = inputs.rows }
    let jets = try inputs.block(0..<limit)
    scores = model.classOneScores(jets)
    (trackNames, vertexNames) = (inputs.trackNames, inputs.vertexNames)
    let activity = RelativeNeuralActivity(
      model: model, tracks: jets.tracks, vertices: jets.vertices, labels: jets.labels)
    self.path = path
    droppedTracks = Set(baseline?.trackNames ?? trackNames).subtracting(trackNames).count
    droppedVertices = Set(baseline?.vertexNames ?? vertexNames).subtracting(vertexNames).count
    configuration = model.configuration
    parameters = model.parameterCount
    auc = try ROC(scores: scores, labels: jets.labels).auc
    fidelity = Metrics.fidelity(baseline?.scores ?? scores, scores) * 100
    sparsity = activity.sparsity
  }

  /// The row's cells in Table 10.
  var cells: [String] {
    let c = configuration
    return [
      path, "\(droppedTracks), \(droppedVertices)",
      "\(c.hidden), \(c.edgeFeatures), \(c.outputFeatures)", grouped(parameters),
      fixed(auc * 100, 2), fixed(fidelity, 2), fixed(meanSparsity, 2),
    ]
  }

  /// The row in compare.json.
  var value: Value {
    let c = configuration
    return .map([
      ("model", .string(path)), ("dropped_tracks", .int(droppedTracks)),
      ("dropped_vertices", .int(droppedVertices)), ("hidden", .int(c.hidden)),
      ("edge_features", .int(c.edgeFeatures)), ("output_features", .int(c.outputFeatures)),
      ("parameters", .int(parameters)), ("auc", .double(auc)),
      ("fidelity_percent", .double(fidelity)), ("sparsity", .double(meanSparsity)),
      ("sparsity_per_class", .list(sparsity.map(Value.double))),
    ])
  }
}
