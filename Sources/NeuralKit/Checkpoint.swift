internal import FairflowBase

extension InteractionNetwork {
  /// `model.json`: architecture, configuration and tensor names/shapes, with the weights in
  /// `model.safetensors` beside it (names as in the reference state dict: `fr1.weight`, …).
  public func checkpoint(
    metadata: [(String, String)] = [], trackFeatureNames: [String] = [],
    vertexFeatureNames: [String] = []
  ) -> (json: String, safetensors: [UInt8]) {
    let c = configuration
    let tensors = parameters.map { ($0.name, $0.value) }
    let json = Value.map([
      ("schema", .string("fairflow.model/1")), ("architecture", .string("interaction-network")),
      (
        "configuration",
        .map([
          ("track_features", .int(c.trackFeatures)), ("tracks", .int(c.tracks)),
          ("vertex_features", .int(c.vertexFeatures)), ("vertices", .int(c.vertices)),
          ("hidden", .int(c.hidden)), ("edge_features", .int(c.edgeFeatures)),
          ("output_features", .int(c.outputFeatures)), ("classes", .int(c.classes)),
        ])
      ),
      ("parameters", .int(parameterCount)),
      (
        "tensors",
        .list(
          tensors.map {
            .map([("name", .string($0.0)), ("shape", .list($0.1.shape.map(Value.int)))])
          })
      ),
      (
        "inputs",
        .list([
          ModelIO.input(
            "tracks", [c.trackFeatures, c.tracks], features: trackFeatureNames,
            layout: "feature-major [batch, features, tracks], zero-padded"),
          ModelIO.input(
            "vertices", [c.vertexFeatures, c.vertices], features: vertexFeatureNames,
            layout: "feature-major [batch, features, vertices], zero-padded"),
        ])
      ),
      (
        "outputs",
        .list([
          ModelIO.input(
            "logits", [c.classes], features: [], layout: "[batch, classes], before softmax")
        ])
      ),
      ("normalisation", .string("none: features enter as converted")),
    ]).prettyJSON
    return (json, SafeTensors.encode(tensors, metadata: metadata))
  }

  /// Loads weights saved by `checkpoint` into this model (names and shapes must match).
  public func load(safetensors bytes: [UInt8]) throws(CheckpointError) {
    try NeuralKit.load(parameters, from: bytes)
  }
}

/// Puts safetensors weights into `parameters`; lists missing and unexpected names on mismatch.
func load(_ parameters: [Parameter], from bytes: [UInt8]) throws(CheckpointError) {
  let tensors = try SafeTensors.decode(bytes)
  let missing = parameters.map(\.name).filter { tensors[$0] == nil }
  let unexpected = Set(tensors.keys).subtracting(parameters.map(\.name)).sorted()
  guard missing.isEmpty, unexpected.isEmpty else {
    throw CheckpointError(
      "weights do not fit the model: missing \(missing), unexpected \(unexpected)")
  }
  for p in parameters {
    let t = tensors[p.name]!
    guard t.shape == p.value.shape else {
      throw CheckpointError(
        "weights '\(p.name)' have shape \(t.shape), the model expects \(p.value.shape)")
    }
    p.value = t
  }
}

/// Input/output descriptions in `model.json`.
enum ModelIO {
  static func input(_ name: String, _ shape: [Int], features: [String], layout: String) -> Value {
    var fields: [(key: String, value: Value)] = [
      ("name", .string(name)), ("shape", .list([.string("batch")] + shape.map(Value.int))),
      ("dtype", .string("float32")), ("layout", .string(layout)),
    ]
    if !features.isEmpty { fields.append(("features", .list(features.map(Value.string)))) }
    return .map(fields)
  }
}
