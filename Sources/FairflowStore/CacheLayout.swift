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
package struct CacheLayout: Sendable, Hashable {
  /// The workspace root (absolute).
  package let workspace: String

  package init(workspace: String) { self.workspace = workspace }

  /// The workspace-relative name of the cache directory.
  package static let directoryName = "cache"

  /// True when a workspace-relative path lies inside the cache.
  package static func contains(relative path: some StringProtocol) -> Bool {
    path.hasPrefix(directoryName + "/")
  }

  /// `cache/` itself.
  package var root: String { workspace + "/" + Self.directoryName }

  package var objects: String { root + "/objects" }
  package var temporary: String { root + "/tmp" }
  package var quarantine: String { root + "/quarantine" }
  package var runs: String { root + "/runs" }
  package var state: String { root + "/state" }
  package var statCache: String { state + "/stat-cache" }
  package var snapshots: String { state + "/snapshots" }
  package var provenanceIndex: String { state + "/provenance-index" }
  package var logs: String { root + "/logs" }
  package func logs(run: String) -> String { logs + "/" + run }
  package var running: String { root + "/running" }
  package var locks: String { root + "/locks" }
  package var workspaceLock: String { root + "/workspace-lock" }
  package var provenanceRepository: String { root + "/provenance.git" }
  package var provenanceJournal: String { root + "/provenance-journal.tsv" }
  package var fetchListings: String { root + "/fetch/listings" }
  /// Workspace-relative: partial downloads of one fetch (by key).
  package static func fetchPartial(_ key: String) -> String {
    directoryName + "/fetch/partial/" + key
  }
  /// Directories a run creates up front (workspace-relative).
  package static let runDirectories = [directoryName + "/runs", directoryName + "/state"]
}
