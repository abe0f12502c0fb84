public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import NeuralKit
internal import ModelImport
public import FairflowBase

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
    let json = try FileIO.readText(directory + "/model.json")
    let weights = try FileIO.read(directory + "/model.safetensors")
    let digest = [("source_model_sha256", Digest.of(weights).hex)]
    let bytes: [UInt8]
    switch try ModelImporter.load(json: json, safetensors: weights) {
    case .interactionNetwork(let model):
      bytes = model.onnx(softmax: config["softmax"] == .bool(true), metadata: digest)
    case .braggNN(let model):
      bytes = model.onnx(metadata: digest)
    }
    try FileIO.writeAtomically(
      bytes, to: root + "/" + (config["output"]?.stringValue ?? "model.onnx"))
    print("export: \(bytes.count) bytes of ONNX (opset 13)")
  }
}
