public import FairflowGit
internal import FairflowCore
internal import FairflowStore

/// Provenance records in git, on `refs/fairflow/provenance`:
///
///     runs/<run-id>/<stage>.json          one ProvenanceRecord per executed/restored/failed stage
///     runs/<run-id>/outputs.tsv           the run's outputs by digest (feeds `OutputIndex`)
///
/// Each commit's tree is its parent's plus one run (a run may be rewritten by later commits of the
/// same run). The ref moves only by compare-and-swap, so concurrent runs never lose each other's
/// records. HEAD, the index, the working tree and branches are never touched.
///
/// The workspace's own repository is used when there is one; otherwise a bare repository at
/// `cache/provenance.git`.
public final class ProvenanceStore {
  public static let ref = "refs/fairflow/provenance"

  public let repository: Repository
  /// The workspace, for the derived index cache under `cache/state/` (nil: no cache).
  let workspaceRoot: String?
  /// Loaded on first use and kept for this store's lifetime.
  var index: OutputIndex?
  /// True when records go to `cache/provenance.git` because the workspace is not in git.
  public let isFallback: Bool
  /// Where the records live, for messages ("the git repository at …").
  public var location: String { repository.gitDirectory }

  init(repository: Repository, isFallback: Bool, workspaceRoot: String?) {
    self.repository = repository
    self.isFallback = isFallback
    self.workspaceRoot = workspaceRoot
  }

  public static func fallbackPath(workspace root: String) -> String {
    CacheLayout(workspace: root).provenanceRepository
  }

  /// The store for a workspace. With `create`, makes the fallback repository if needed and says
  /// so through `note` the first time; without, returns nil when no records can exist. Without
  /// `indexCache`, the derived output index is not cached under `cache/state/` (read-only use).
  public static func open(
    workspace root: String, create: Bool, indexCache: Bool = true,
    note: (String) -> Void = { _ in }
  ) throws(GitError) -> ProvenanceStore? {
    let indexRoot = indexCache ? root : nil
    if let repository = try Repository.discover(from: root) {
      return ProvenanceStore(repository: repository, isFallback: false, workspaceRoot: indexRoot)
    }
    let path = fallbackPath(workspace: root)
    if FileIO.exists(path) {
      return ProvenanceStore(
        repository: try Repository.open(path), isFallback: true, workspaceRoot: indexRoot)
    }
    guard create else { return nil }
    note(
      "note: the workspace is not inside a git repository; provenance is recorded in "
        + CacheLayout.directoryName
        + "/provenance.git (move it along with the workspace, or run `git init`)")
    return ProvenanceStore(
      repository: try Repository.openOrCreateBare(at: path), isFallback: true, workspaceRoot: root)
  }

  // MARK: - Names

  /// The tree entry name of a stage's record: '/' and '%' percent-encoded, a leading '.' too.
  public static func fileName(stage: String) -> String {
    var out = ""
    for (i, c) in stage.enumerated() {
      switch c {
      case "%": out += "%25"
      case "/": out += "%2F"
      case "." where i == 0: out += "%2E"
      default: out.append(c)
      }
    }
    return out + ".json"
  }

  // MARK: - Reading

  public func tip() throws(GitError) -> ObjectID? { try repository.reference(Self.ref) }

  /// Every run id recorded, oldest first (run ids sort by time).
  public func runIDs() throws(GitError) -> [String] {
    guard let tip = try tip() else { return [] }
    let tree = try repository.commit(tip).tree
    guard let runs = try repository.treeEntry(tree, path: "runs"), runs.isTree else { return [] }
    return try repository.treeEntries(runs.id).filter(\.isTree).map(\.name).sorted()
  }

  /// The records of one run, in stage-file order.
  public func records(run: String) throws -> [ProvenanceRecord] {
    guard let tip = try tip() else { return [] }
    let tree = try repository.commit(tip).tree
    guard let dir = try repository.treeEntry(tree, path: "runs/" + run), dir.isTree else {
      return []
    }
    var out: [ProvenanceRecord] = []
    for entry in try repository.treeEntries(dir.id)
    where !entry.isTree && entry.name.hasSuffix(".json") {
      out.append(try decode(entry.id, source: "runs/\(run)/\(entry.name)"))
    }
    return out
  }

  public func record(run: String, file: String) throws -> ProvenanceRecord? {
    guard let tip = try tip() else { return nil }
    let tree = try repository.commit(tip).tree
    guard let entry = try repository.treeEntry(tree, path: "runs/\(run)/\(file)"), !entry.isTree
    else { return nil }
    return try decode(entry.id, source: "runs/\(run)/\(file)")
  }

  func decode(_ blob: ObjectID, source: String) throws -> ProvenanceRecord {
    let bytes = try repository.readBlob(blob)
    return try ProvenanceRecord(json: String(decoding: bytes, as: UTF8.self), source: source)
  }

  /// The records that list an output with this SHA-256 (hex), oldest run first.
  public func producers(ofSHA256 hex: String) throws -> [OutputIndex.Producer] {
    if index == nil {
      index = try OutputIndex.load(
        store: self, cacheFile: workspaceRoot.map { CacheLayout(workspace: $0).provenanceIndex })
    }
    return index?.producers[hex] ?? []
  }

  /// One line per run, newest first: walks the commit history and keeps each run's newest commit.
  public struct LogEntry: Sendable {
    public var run: String
    public var commit: ObjectID
    public var time: Int
    public var subject: String
    public var trailers: [String: String]
  }

  public func log(limit: Int? = nil) throws(GitError) -> [LogEntry] {
    var out: [LogEntry] = []
    var seen: Set<String> = []
    var next = try tip()
    while let id = next {
      let commit = try repository.commit(id)
      let lines = commit.message.split(separator: "\n", omittingEmptySubsequences: false)
      var trailers: [String: String] = [:]
      for line in lines.dropFirst() {
        if let colon = line.firstIndex(of: ":") {
          trailers[String(line[..<colon])] = line[line.index(after: colon)...]
            .trimmed(" ")
        }
      }
      if let run = trailers["Run"], seen.insert(run).inserted {
        out.append(
          LogEntry(
            run: run, commit: id, time: commit.time, subject: String(lines.first ?? ""),
            trailers: trailers))
        if let limit, out.count >= limit { break }
      }
      next = commit.parents.first
    }
    return out
  }
}
