internal import Crypto
internal import FairflowBase
internal import FairflowCore
internal import FairflowGit
internal import FairflowStore

/// `prov trace FILE`: from a file's content digest back through the records that produced it and
/// their inputs, to the roots — source files (with the code commit that tracks them) and fetched
/// data (DOI / URL).
public struct Tracer {
  let store: ProvenanceStore
  let root: String

  public init(store: ProvenanceStore, workspace root: String) {
    self.store = store
    self.root = root
  }

  /// One artifact in the chain and what made it.
  public struct Node: Sendable {
    public var path: String
    public var sha256: String
    public var size: Int
    /// The record that produced this content (the original run when it was restored).
    public var producer: ProvenanceRecord?
    /// The record actually found, when it was a restore (`producer` is then its original).
    public var restoredBy: ProvenanceRecord?
    public var origin: ProvenanceRecord.Origin?
    /// For roots without origin: "tracked in git at COMMIT", "untracked", "modified since COMMIT".
    public var source: String?
    public var inputs: [Node]
    /// Already shown elsewhere in the tree (same content and producer).
    public var repeated: Bool
    /// Every `fairflow reproduce` of this content, oldest first.
    public var reproductions: [ReproductionRecord] = []
  }

  /// Traces content with `sha256` found at `path`.
  public func trace(path: String, sha256: String, size: Int) throws -> Node {
    var seen: Set<String> = []
    let reproductions = Dictionary(grouping: try store.reproductions(), by: \.sha256)
    return try node(
      path: path, sha256: sha256, size: size, origin: nil, seen: &seen, depth: 0,
      consumerCode: nil, reproductions: reproductions)
  }

  func node(
    path: String, sha256: String, size: Int, origin: ProvenanceRecord.Origin?,
    seen: inout Set<String>, depth: Int, consumerCode: String?,
    reproductions: [String: [ReproductionRecord]]
  ) throws -> Node {
    var result = Node(
      path: path, sha256: sha256, size: size, producer: nil, restoredBy: nil, origin: origin,
      source: nil, inputs: [], repeated: false, reproductions: reproductions[sha256] ?? [])
    guard
      let (found, original) = try producer(of: sha256)
        ?? (try producer(enclosing: path, sha256: sha256))
    else {
      if origin == nil { result.source = try sourceDescription(path, sha256, consumerCode) }
      return result
    }
    result.producer = original
    if original.run != found.run || original.stage != found.stage { result.restoredBy = found }
    let key = sha256 + "\t" + original.run + "\t" + original.stage
    if result.origin == nil {
      result.origin = original.outputs.first { $0.sha256 == sha256 }?.origin
    }
    guard seen.insert(key).inserted, depth < 256 else {
      result.repeated = true
      return result
    }
    for dep in original.deps {
      result.inputs.append(
        try node(
          path: dep.path, sha256: dep.sha256, size: dep.size, origin: dep.origin, seen: &seen,
          depth: depth + 1, consumerCode: original.context.commit, reproductions: reproductions))
    }
    return result
  }

  /// The newest record listing this content as an output, and the record of the run that
  /// originally produced it (following `restored_from`).
  func producer(of sha256: String) throws -> (ProvenanceRecord, ProvenanceRecord)? {
    var fallback: ProvenanceRecord?
    for candidate in try store.producers(ofSHA256: sha256).reversed() {
      guard let record = try store.record(run: candidate.run, file: candidate.file) else {
        continue
      }
      switch record.outcome {
      case .executed: return (record, record)
      case .restored:
        if let from = record.restoredFrom,
          let original = try store.record(run: from, file: candidate.file),
          original.outputs.contains(where: { $0.sha256 == sha256 })
        {
          return (record, original)
        }
        if fallback == nil { fallback = record }
      case .failed: continue
      }
    }
    return fallback.map { ($0, $0) }
  }

  /// For a file inside a directory output (`features/test.h5` in `features`): the newest record
  /// whose directory output contains it, confirmed through the directory's manifest in the object
  /// store (the file's digest must be listed at that relative path; without the manifest, no claim).
  func producer(enclosing path: String, sha256: String) throws -> (
    ProvenanceRecord, ProvenanceRecord
  )? {
    let objects = ObjectStore(workspace: root)
    for run in try store.runIDs().reversed().prefix(200) {
      for record in try store.records(run: run) where record.outcome != .failed {
        for output in record.outputs where output.isDirectory && path.hasPrefix(output.path + "/") {
          let inner = String(path.dropFirst(output.path.count + 1))
          guard let digest = FairflowBase.Digest(hex: output.sha256),
            let manifest = try? objects.manifest(digest),
            manifest.entries.contains(where: { $0.path == inner && $0.digest.hex == sha256 })
          else { continue }
          if record.outcome == .restored, let from = record.restoredFrom,
            let original = try store.record(
              run: from, file: ProvenanceStore.fileName(stage: record.stage))
          {
            return (record, original)
          }
          return (record, record)
        }
      }
    }
    return nil
  }

  /// Whether a root input is a source file tracked in git at the commit the consumer ran with.
  func sourceDescription(_ path: String, _ sha256: String, _ commit: String?) throws -> String {
    guard let commit, let id = ObjectID(hex: commit), !store.isFallback,
      let workdir = store.repository.workingDirectory
    else { return "source file (workspace not in git)" }
    let prefix = root.hasPrefix(workdir) ? String(root.dropFirst(workdir.count)) : ""
    let inRepo = (prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/") + path
    let tree = try store.repository.commit(id).tree
    guard let entry = try store.repository.treeEntry(tree, path: inRepo), !entry.isTree else {
      return "source file, not tracked in git at \(id.short)"
    }
    let bytes = try store.repository.readBlob(entry.id)
    let digest = FairflowBase.Digest.of(bytes).hex
    return digest == sha256
      ? "source file, tracked in git at \(id.short)"
      : "source file, modified since \(id.short) (uncommitted content)"
  }
}
