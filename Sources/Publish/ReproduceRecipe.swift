internal import FairflowBase

/// `reproduce/reproduce.json` of a publication bundle: what `fairflow reproduce DOI` runs and
/// what it compares (docs/reproduce.md, "From a DOI or bundle").
///
///     {"schema": 1,
///      "commit": "<git commit of reproduce/source.tar>",
///      "pipeline": "pipelines/main.yaml",      workspace-relative
///      "workspace": "",                       the workspace's directory in the repository
///      "stage": "evaluate",                   `run --stage` re-executes the whole lineage
///      "params": ["seed=3"],                  `-p` overrides, as the records used them
///      "artifacts": [{"path": "models/m", "sha256": "<manifest digest>", "directory": true},
///                    {"path": "metrics/m.json", "sha256": "<file digest>", "directory": false}],
///      "lock": "pipelines/main.lock"}          null when the pipeline had no lock file
///
/// Digests are fairflow's content digests (a file's SHA-256; a directory's manifest digest), so
/// the reproduced outputs compare with them directly. Keys are written in the order above, so the
/// same recipe is the same bytes.
public struct ReproduceRecipe: Sendable, Equatable {
  /// One output the reproduction must give back bit for bit.
  public struct Artifact: Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var isDirectory: Bool

    public init(path: String, sha256: String, isDirectory: Bool) {
      self.path = path
      self.sha256 = sha256
      self.isDirectory = isDirectory
    }
  }

  public static let schema = 1

  public var commit: String
  public var pipeline: String
  public var workspace: String
  public var stage: String
  public var params: [String]
  public var artifacts: [Artifact]
  public var lock: String?

  public init(
    commit: String, pipeline: String, workspace: String, stage: String, params: [String],
    artifacts: [Artifact], lock: String?
  ) {
    self.commit = commit
    self.pipeline = pipeline
    self.workspace = workspace
    self.stage = stage
    self.params = params
    self.artifacts = artifacts
    self.lock = lock
  }

  /// The file name of the lock file inside `reproduce/` (nil without one).
  public var lockFileName: String? {
    lock.map { String($0.split(separator: "/").last ?? Substring($0)) }
  }

  public var json: [UInt8] {
    let artifacts = self.artifacts.map { artifact -> Value in
      .map([
        ("path", .string(artifact.path)), ("sha256", .string(artifact.sha256)),
        ("directory", .bool(artifact.isDirectory)),
      ])
    }
    let value = Value.map([
      ("schema", .int(Self.schema)), ("commit", .string(commit)),
      ("pipeline", .string(pipeline)), ("workspace", .string(workspace)),
      ("stage", .string(stage)), ("params", .list(params.map(Value.string))),
      ("artifacts", .list(artifacts)), ("lock", lock.map(Value.string) ?? .null),
    ])
    return Array(value.prettyJSON.utf8)
  }

  /// Reads `reproduce.json`; refuses another schema, missing fields and unsafe paths.
  public init(json bytes: [UInt8]) throws(PublishError) {
    let file = BundleLayout.recipe
    let value: Value
    do {
      value = try JSONParser.parse(String(decoding: bytes, as: UTF8.self), file: file)
    } catch {
      throw .invalidBundle(error.message)
    }
    guard value["schema"]?.intValue == Self.schema else {
      throw .invalidBundle(
        "\(file): schema \(value["schema"]?.canonicalText ?? "missing"), "
          + "this fairflow reads schema \(Self.schema)")
    }
    func text(_ key: String, in object: Value = value) throws(PublishError) -> String {
      guard let text = object[key]?.stringValue else {
        throw .invalidBundle("\(file): \"\(key)\" is missing or not a string")
      }
      return text
    }
    func path(_ key: String, in object: Value = value) throws(PublishError) -> String {
      let text = try text(key, in: object)
      do { return try BundlePath.check(text) } catch {
        throw .invalidBundle("\(file): unsafe \(key) '\(text)'")
      }
    }
    commit = try text("commit")
    pipeline = try path("pipeline")
    workspace = try text("workspace")
    if !workspace.isEmpty { _ = try path("workspace") }
    stage = try text("stage")
    params = (value["params"]?.listValue ?? []).compactMap(\.stringValue)
    var artifacts: [Artifact] = []
    for item in value["artifacts"]?.listValue ?? [] {
      guard case .bool(let isDirectory)? = item["directory"] else {
        throw .invalidBundle("\(file): an artifact has no \"directory\" flag")
      }
      artifacts.append(
        Artifact(
          path: try path("path", in: item), sha256: try text("sha256", in: item),
          isDirectory: isDirectory))
    }
    guard !artifacts.isEmpty else { throw .invalidBundle("\(file): no artifacts to compare") }
    self.artifacts = artifacts
    lock = value["lock"]?.stringValue == nil ? nil : try path("lock")
  }
}
