public import FairflowBase
public import FairflowCore
public import ModelImport
public import StageSupport

/// The `with:` of an `import` stage:
///
/// ```yaml
/// with: {source: models/published/IN.pth, arch: interaction-network, output: models/imported,
///        tracks: 60, vertices: 5, doi: 10.5281/zenodo.…, url: https://…}
/// ```
public struct ImportConfig: StageConfiguration, FieldsConfiguration, Equatable {
  /// The published model file (PyTorch checkpoint, safetensors or ONNX).
  public var source: String
  public var arch: ModelImporter.Architecture
  /// The model directory written.
  public var output: String
  /// Interaction network: track and vertex slots per jet (the weights do not say).
  public var tracks: Int
  public var vertices: Int
  /// Where the model was published (recorded in model.json and the provenance).
  public var doi: String?
  public var url: String?

  public static let keys = ["source", "arch", "output", "tracks", "vertices", "doi", "url"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "import", error: error, Self.init(fields:))
  }

  public init(fields f: ConfigFields) throws(PipelineError) {
    source = try f.string("source")
    let name = try f.string("arch")
    guard let arch = ModelImporter.Architecture(rawValue: name) else {
      throw f.problem(
        "unknown arch '\(name)'",
        hint:
          "available: \(ModelImporter.Architecture.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    self.arch = arch
    output = try f.string("output")
    tracks = try f.int("tracks", default: 60)
    vertices = try f.int("vertices", default: 5)
    func optional(_ key: String) throws(PipelineError) -> String? {
      guard let v = f.value(key) else { return nil }
      guard case .string(let s) = v else { throw f.problem("'\(key)' must be a string") }
      return s
    }
    doi = try optional("doi")
    url = try optional("url")
  }

  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("source", .string(source)), ("arch", .string(arch.rawValue)), ("output", .string(output)),
      ("tracks", .int(tracks)), ("vertices", .int(vertices)),
    ]
    if let doi { fields.append(("doi", .string(doi))) }
    if let url { fields.append(("url", .string(url))) }
    return .map(fields)
  }
}
