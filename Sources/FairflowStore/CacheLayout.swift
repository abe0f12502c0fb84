/// Where everything under a workspace's `cache/` lives. Every path below `cache/` is named here
/// and nowhere else, so the layout (docs/architecture.md, "Workspace layout") has one home.
///
/// ```
/// cache/objects/ab/cdef…      content-addressed objects (ObjectStore)
/// cache/tmp/                   objects being written
/// cache/quarantine/            objects found modified in place
/// cache/runs/                  run-cache entries (RunCache) and the run journal
/// cache/state/                 stat cache, pipeline snapshots, provenance index
/// cache/logs/RUN/              stage logs of a run
/// cache/running/               process registry of the running stages
/// cache/locks/                 per-pipeline stage claims
/// cache/workspace-lock         the workspace lock
/// cache/provenance.git         provenance outside a git repository
/// cache/provenance-journal.tsv provenance written but not yet committed
/// cache/fetch/                 fetch listings and partial downloads
/// ```
public struct CacheLayout: Sendable, Hashable {
  /// The workspace root (absolute).
  public let workspace: String

  public init(workspace: String) { self.workspace = workspace }

  /// The workspace-relative name of the cache directory.
  public static let directoryName = "cache"

  /// True when a workspace-relative path lies inside the cache.
  public static func contains(relative path: some StringProtocol) -> Bool {
    path.hasPrefix(directoryName + "/")
  }

  /// `cache/` itself.
  public var root: String { workspace + "/" + Self.directoryName }

  public var objects: String { root + "/objects" }
  public var temporary: String { root + "/tmp" }
  public var quarantine: String { root + "/quarantine" }
  public var runs: String { root + "/runs" }
  public var state: String { root + "/state" }
  public var statCache: String { state + "/stat-cache" }
  public var snapshots: String { state + "/snapshots" }
  public var provenanceIndex: String { state + "/provenance-index" }
  public var logs: String { root + "/logs" }
  public func logs(run: String) -> String { logs + "/" + run }
  public var running: String { root + "/running" }
  public var locks: String { root + "/locks" }
  public var workspaceLock: String { root + "/workspace-lock" }
  public var provenanceRepository: String { root + "/provenance.git" }
  public var provenanceJournal: String { root + "/provenance-journal.tsv" }
  public var fetchListings: String { root + "/fetch/listings" }
  /// Workspace-relative: partial downloads of one fetch (by key).
  public static func fetchPartial(_ key: String) -> String {
    directoryName + "/fetch/partial/" + key
  }
  /// Directories a run creates up front (workspace-relative).
  public static let runDirectories = [directoryName + "/runs", directoryName + "/state"]
}
