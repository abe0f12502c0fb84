public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import NeuralKit

/// `uses: export`: a trained model directory (`model.json` + `model.safetensors`) → ONNX.
///
/// ```yaml
/// with: {model: models/in, format: onnx, output: models/in.onnx, softmax: false}
/// ```
/// The ONNX file's metadata records the fairflow version and the SHA-256 of the weights.
public struct ExportStage: BuiltinStage {
  public let name = "export"
  public let version = 1

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let model = try reader.string("model")
    let format = try reader.string("format", default: "onnx")
    guard format == "onnx" else { throw reader.error("'format' must be onnx") }
    let output = try reader.string("output")
    var softmax = false
    if let s = reader.value("softmax") {
      guard case .bool(let b) = s else { throw reader.error("'softmax' must be true or false") }
      softmax = b
    }
    try reader.finish()
    return .map([
      ("model", .string(model)), ("format", .string(format)), ("output", .string(output)),
      ("softmax", .bool(softmax)),
    ])
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let directory = root + "/" + (config["model"]?.stringValue ?? "")
    let json = try ValueParser.parse(
      try FileIO.readText(directory + "/model.json"), file: "model.json")
    let weights = try FileIO.read(directory + "/model.safetensors")
    let a = json["configuration"]
    func int(_ key: String) throws(PipelineError) -> Int {
      guard let v = a?[key]?.intValue else {
        throw PipelineError("model.json: configuration.\(key) missing")
      }
      return v
    }
    let digest = [("source_model_sha256", Digest.of(weights).hex)]
    let bytes: [UInt8]
    switch json["architecture"]?.stringValue {
    case "interaction-network":
      var c = InteractionNetwork.Configuration()
      (c.trackFeatures, c.tracks) = (try int("track_features"), try int("tracks"))
      (c.vertexFeatures, c.vertices) = (try int("vertex_features"), try int("vertices"))
      (c.hidden, c.edgeFeatures, c.outputFeatures, c.classes) = (
        try int("hidden"), try int("edge_features"), try int("output_features"), try int("classes")
      )
      let model = InteractionNetwork(c, seed: 0)
      try model.load(safetensors: weights)
      bytes = model.onnx(softmax: config["softmax"] == .bool(true), metadata: digest)
    case "braggnn":
      var c = BraggNN.Configuration()
      c.patch = try int("patch")
      c.dense = a?["dense"]?.listValue?.compactMap(\.intValue) ?? c.dense
      let model = BraggNN(c, seed: 0)
      try model.load(safetensors: weights)
      bytes = model.onnx(metadata: digest)
    default:
      throw PipelineError(
        "\(directory)/model.json: unsupported architecture \(json["architecture"]?.canonicalText ?? "?")"
      )
    }
    try FileIO.writeAtomically(
      bytes, to: root + "/" + (config["output"]?.stringValue ?? "model.onnx"))
    print("export: \(bytes.count) bytes of ONNX (opset 13)")
  }
}
