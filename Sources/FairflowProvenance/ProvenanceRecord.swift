public import FairflowBase
public import FairflowCore

/// What one stage did in one run: the unit of provenance, stored as
/// `runs/<run>/<stage>.json` on `refs/fairflow/provenance`. Schema: docs/provenance.md.
///
/// Secrets never reach a record: the builder redacts secret-named params and environment
/// variables and every occurrence of their values in the command (see `Redactor`).
public struct ProvenanceRecord: Sendable, Equatable {
  public static let schema = "fairflow.provenance/1"

  /// A file or directory with its content digest; `origin` says where fetched data came from.
  public struct Artifact: Sendable, Equatable {
    public var path: String
    /// SHA-256 of the file, or of the directory manifest for directories.
    public var sha256: String
    public var size: Int
    public var isDirectory: Bool
    public var files: Int?
    public var origin: Origin?

    public init(
      path: String, sha256: String, size: Int, isDirectory: Bool = false, files: Int? = nil,
      origin: Origin? = nil
    ) {
      self.path = path
      self.sha256 = sha256
      self.size = size
      self.isDirectory = isDirectory
      self.files = files
      self.origin = origin
    }
  }

  /// Where a fetched file came from: DOI, URL, the repository's checksum, retrieval time, and
  /// any further metadata the fetcher recorded (title, creators, license, version).
  public struct Origin: Sendable, Equatable {
    public var doi: String?
    public var url: String?
    /// As the repository states it: "md5:…", "sha256:…", "adler32:…".
    public var checksum: String?
    public var retrieved: String?
    public var metadata: [(key: String, value: Value)]

    public init(
      doi: String? = nil, url: String? = nil, checksum: String? = nil, retrieved: String? = nil,
      metadata: [(key: String, value: Value)] = []
    ) {
      self.doi = doi
      self.url = url
      self.checksum = checksum
      self.retrieved = retrieved
      self.metadata = metadata
    }

    public static func == (a: Origin, b: Origin) -> Bool {
      a.doi == b.doi && a.url == b.url && a.checksum == b.checksum && a.retrieved == b.retrieved
        && Value.map(a.metadata) == Value.map(b.metadata)
    }
  }

  public enum Outcome: String, Sendable {
    case executed, restored, failed
  }

  public var run: String
  public var pipeline: String
  public var stage: String
  /// "command" or the built-in kind (`convert`, `train`, …).
  public var kind: String
  public var command: String?
  public var implementationVersion: Int?
  public var params: [(key: String, value: Value)]
  public var env: [(key: String, value: Value)]
  public var deps: [Artifact]
  public var outputs: [Artifact]
  public var outcome: Outcome
  public var restoredFrom: String?
  public var failure: String?
  public var exitStatus: Int?
  public var started: String
  public var ended: String
  public var durationSeconds: Double
  public var fingerprint: String?
  /// `{"kind": "local"}` or `{"kind": "slurm", "job_id": …, "node": …}`.
  public var executor: [(key: String, value: Value)]
  /// Run-level context shared by every record of a run.
  public var context: RunContext
  /// `deterministic: false` and its `tolerance:`; nil for a stage compared byte for byte.
  public var reproducibility: Reproducibility?

  public init(
    run: String, pipeline: String, stage: String, kind: String, command: String?,
    implementationVersion: Int?, params: [(key: String, value: Value)],
    env: [(key: String, value: Value)], deps: [Artifact], outputs: [Artifact], outcome: Outcome,
    restoredFrom: String?, failure: String?, exitStatus: Int?, started: String, ended: String,
    durationSeconds: Double, fingerprint: String?, executor: [(key: String, value: Value)],
    context: RunContext, reproducibility: Reproducibility? = nil
  ) {
    self.run = run
    self.pipeline = pipeline
    self.stage = stage
    self.kind = kind
    self.command = command
    self.implementationVersion = implementationVersion
    self.params = params
    self.env = env
    self.deps = deps
    self.outputs = outputs
    self.outcome = outcome
    self.restoredFrom = restoredFrom
    self.failure = failure
    self.exitStatus = exitStatus
    self.started = started
    self.ended = ended
    self.durationSeconds = durationSeconds
    self.fingerprint = fingerprint
    self.executor = executor
    self.context = context
    self.reproducibility = reproducibility
  }

  public static func == (a: ProvenanceRecord, b: ProvenanceRecord) -> Bool {
    a.value == b.value
  }
}

/// Facts about the run's machine, software and code, identical for all of a run's records.
public struct RunContext: Sendable, Equatable {
  public var host: [(key: String, value: Value)]
  public var software: [(key: String, value: Value)]
  public var environment: [(key: String, value: Value)]
  public var user: [(key: String, value: Value)]
  public var code: [(key: String, value: Value)]

  public init(
    host: [(key: String, value: Value)], software: [(key: String, value: Value)],
    environment: [(key: String, value: Value)], user: [(key: String, value: Value)],
    code: [(key: String, value: Value)]
  ) {
    self.host = host
    self.software = software
    self.environment = environment
    self.user = user
    self.code = code
  }

  public static func == (a: RunContext, b: RunContext) -> Bool {
    Value.map(a.host) == Value.map(b.host) && Value.map(a.software) == Value.map(b.software)
      && Value.map(a.environment) == Value.map(b.environment)
      && Value.map(a.user) == Value.map(b.user) && Value.map(a.code) == Value.map(b.code)
  }

  /// The code commit, when the workspace is in a git repository with a commit checked out.
  public var commit: String? { Value.map(code)["commit"]?.stringValue }
}
