public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore
internal import Foundation

/// `uses: import`: a published model file (PyTorch checkpoint, safetensors or ONNX) → the native
/// model directory. See `ImportConfig`; the source's SHA-256 (and, when given, `doi`/`url`) go
/// into model.json, and provenance records the source as a dependency.
public struct ImportStage: TypedStage {
  public typealias Configuration = ImportConfig
  public let name = "import"
  public let version = 1

  public init() {}

  public func run(_ config: ImportConfig, stage: Stage, workspace: Workspace) async throws {
    let written = try ModelImportRunner.run(
      source: workspace.root + "/" + config.source, display: config.source, arch: config.arch,
      output: workspace.root + "/" + config.output, tracks: config.tracks,
      vertices: config.vertices, doi: config.doi, url: config.url)
    print(written)
    try recordOrigin(config, root: workspace.root)
  }

  /// Provenance: the imported model's origin, declared for the output directory (when the run
  /// asks for it through `FAIRFLOW_ORIGINS` and a DOI or URL is given).
  private func recordOrigin(_ config: ImportConfig, root: String) throws {
    guard config.doi != nil || config.url != nil,
      let file = ProcessInfo.processInfo.environment["FAIRFLOW_ORIGINS"]
    else { return }
    var origin: [(key: String, value: Value)] = []
    if let doi = config.doi { origin.append(("doi", .string(doi))) }
    if let url = config.url { origin.append(("url", .string(url))) }
    let bytes = try FileIO.read(root + "/" + config.source)
    origin.append(("checksum", .string("sha256:" + Digest.of(bytes).hex)))
    try FileIO.writeAtomically(
      Array(Value.map([(config.output, .map(origin))]).canonicalText.utf8), to: file)
  }
}
