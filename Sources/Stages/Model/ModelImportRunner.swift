public import ModelImport
internal import FairflowBase
internal import FairflowStore
internal import NeuralKit

/// Shared by the `import` stage and `fairflow import-model`.
public enum ModelImportRunner {
  public static func run(
    source: String, display: String, arch: ModelImporter.Architecture, output: String,
    tracks: Int, vertices: Int, doi: String? = nil, url: String? = nil
  ) throws -> String {
    let bytes = try FileIO.read(source)
    let (weights, format, metadata) = try ModelImporter.weights(bytes, name: source)
    let model = try ModelImporter.model(
      arch, weights: weights, format: format, metadata: metadata, tracks: tracks, vertices: vertices
    )
    var origin: [(String, Value)] = [
      ("file", .string(display)), ("format", .string(format.rawValue)),
      ("sha256", .string(Digest.of(bytes).hex)),
    ]
    if let doi { origin.append(("doi", .string(doi))) }
    if let url { origin.append(("url", .string(url))) }
    let (json, safetensors) = try ModelImporter.directory(model, source: origin)
    try FileIO.writeAtomically(safetensors, to: output + "/model.safetensors")
    try FileIO.writeAtomically(Array(json.utf8), to: output + "/model.json")
    let count: Int
    switch model {
    case .interactionNetwork(let m): count = m.parameterCount
    case .braggNN(let m): count = m.parameterCount
    }
    return
      "import: \(weights.count) tensors (\(count) parameters) from \(display) (\(format.rawValue)) → \(output)"
  }
}
