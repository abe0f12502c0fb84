public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore
internal import ModelImport
internal import NeuralKit

/// `uses: export`: a trained model directory (`model.json` + `model.safetensors`) → ONNX. See
/// `ExportConfig`. The ONNX file's metadata records the SHA-256 of the weights.
public struct ExportStage: TypedStage {
  public typealias Configuration = ExportConfig
  public let name = "export"
  public let version = 1

  public init() {}

  public func run(_ config: ExportConfig, stage: Stage, workspace: Workspace) async throws {
    let directory = try ModelDirectory(config.model, root: workspace.root)
    let digest = [("source_model_sha256", Digest.of(directory.weights).hex)]
    let bytes: [UInt8]
    switch directory.model {
    case .interactionNetwork(let model):
      bytes = model.onnx(softmax: config.softmax, metadata: digest)
    case .braggNN(let model):
      bytes = model.onnx(metadata: digest)
    }
    try FileIO.writeAtomically(bytes, to: workspace.root + "/" + config.output)
    print("export: \(bytes.count) bytes of ONNX (opset 13)")
  }
}
