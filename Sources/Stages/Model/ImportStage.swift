public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
public import ModelImport
internal import NeuralKit
internal import Foundation
public import FairflowBase

/// `uses: import`: a published model file (PyTorch checkpoint, safetensors or ONNX) → the native
/// model directory. `with: {source: models/published/IN.pth, arch: interaction-network,
/// output: models/imported, tracks: 60, vertices: 5}`; the source's SHA-256 (and, when given,
/// `doi`/`url`) go into model.json, and provenance records the source as a dependency.
public struct ImportStage: BuiltinStage {
  public let name = "import"
  public let version = 1

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let source = try reader.string("source")
    let arch = try reader.string("arch")
    guard ModelImporter.Architecture(rawValue: arch) != nil else {
      throw reader.error(
        "unknown arch '\(arch)'",
        hint:
          "available: \(ModelImporter.Architecture.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    let output = try reader.string("output")
    let tracks = try reader.int("tracks", default: 60)
    let vertices = try reader.int("vertices", default: 5)
    var fields: [(key: String, value: Value)] = [
      ("source", .string(source)), ("arch", .string(arch)), ("output", .string(output)),
      ("tracks", .int(tracks)), ("vertices", .int(vertices)),
    ]
    for key in ["doi", "url"] {
      if let v = reader.value(key) {
        guard case .string = v else { throw reader.error("'\(key)' must be a string") }
        fields.append((key, v))
      }
    }
    try reader.finish()
    return .map(fields)
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let source = config["source"]?.stringValue ?? ""
    let written = try ModelImportRunner.run(
      source: workspace.root + "/" + source, display: source,
      arch: ModelImporter.Architecture(rawValue: config["arch"]?.stringValue ?? "")!,
      output: workspace.root + "/" + (config["output"]?.stringValue ?? ""),
      tracks: config["tracks"]?.intValue ?? 60, vertices: config["vertices"]?.intValue ?? 5,
      doi: config["doi"]?.stringValue, url: config["url"]?.stringValue)
    print(written)
    // Provenance: the imported model's origin, declared for the output directory.
    let doi = config["doi"]?.stringValue
    let url = config["url"]?.stringValue
    if doi != nil || url != nil, let file = ProcessInfo.processInfo.environment["FAIRFLOW_ORIGINS"]
    {
      var origin: [(key: String, value: Value)] = []
      if let doi { origin.append(("doi", .string(doi))) }
      if let url { origin.append(("url", .string(url))) }
      let bytes = try FileIO.read(workspace.root + "/" + source)
      origin.append(("checksum", .string("sha256:" + Digest.of(bytes).hex)))
      let out = config["output"]?.stringValue ?? ""
      try FileIO.writeAtomically(
        Array(Value.map([(out, .map(origin))]).canonicalText.utf8), to: file)
    }
  }
}

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
