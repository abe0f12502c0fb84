public import FairflowBase
/// A path with its recorded content digest.
public struct PathRecord: Sendable, Hashable {
  public enum Kind: String, Sendable { case file, directory }
  public var path: String
  public var digest: Digest
  public var size: Int
  public var kind: Kind
  /// Number of files, for directories.
  public var files: Int?

  public init(path: String, digest: Digest, size: Int, kind: Kind = .file, files: Int? = nil) {
    self.path = path
    self.digest = digest
    self.size = size
    self.kind = kind
    self.files = files
  }
}

/// The recorded state of one stage after its last successful run: what went in, what came out.
public struct LockEntry: Sendable {
  public var stage: String
  public var fingerprint: Digest
  /// The command (or `uses: kind`) as run, for humans and for the "command changed" reason.
  public var command: String
  public var params: [(name: String, value: Value)]
  /// Environment variables; values of secret-looking names are stored as `<redacted>`.
  public var env: [(name: String, value: String)]
  public var deps: [PathRecord]
  public var outs: [PathRecord]
  /// Parsed metrics files: path → JSON value.
  public var metrics: [(path: String, value: Value)]
  /// The run that produced these outputs.
  public var run: String

  public init(
    stage: String, fingerprint: Digest, command: String, params: [(name: String, value: Value)],
    env: [(name: String, value: String)], deps: [PathRecord], outs: [PathRecord],
    metrics: [(path: String, value: Value)] = [], run: String
  ) {
    self.stage = stage
    self.fingerprint = fingerprint
    self.command = command
    self.params = params
    self.env = env
    self.deps = deps
    self.outs = outs
    self.metrics = metrics
    self.run = run
  }
}

/// Names whose values are never written to disk (lock files, provenance).
public enum SecretNames {
  public static func isSecret(_ name: String) -> Bool {
    let lower = name.lowercased()
    return ["token", "secret", "password", "passwd", "key", "credential"].contains {
      lower.contains($0)
    }
  }

  public static let redacted = "<redacted>"
}
