internal import FairflowStore
internal import HDF5
internal import ModelImport
internal import NeuralKit
internal import StageSupport

/// A model directory as `train` and `import` write it (`model.json` + `model.safetensors`),
/// loaded: the one place the model kinds read a model from.
struct ModelDirectory {
  /// As configured (relative to the workspace root), for messages.
  let path: String
  /// The `model.json` text (it names the input features).
  let json: String
  /// The `model.safetensors` bytes.
  let weights: [UInt8]
  let model: ModelImporter.Model

  init(_ path: String, root: String) throws {
    let directory = root + "/" + path
    self.path = path
    json = try FileIO.readText(directory + "/model.json")
    weights = try FileIO.read(directory + "/model.safetensors")
    model = try ModelImporter.load(json: json, safetensors: weights)
  }

  /// The interaction network, or `StageError(problem)` for another architecture.
  func interactionNetwork(_ problem: @autoclosure () -> String) throws -> InteractionNetwork {
    guard case .interactionNetwork(let network) = model else { throw StageError(problem()) }
    return network
  }

  /// The interaction network's inputs from an open test split: its features picked by name.
  func jetInputs(_ network: InteractionNetwork, file: HDF5File, path: String) throws -> JetInputs {
    try JetInputs(model: network, json: json, file: file, path: path)
  }
}
