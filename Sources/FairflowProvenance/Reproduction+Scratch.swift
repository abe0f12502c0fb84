internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowGit
internal import FairflowStore
internal import Glibc

/// A scratch workspace for a reproduction: `directory` (under `$TMPDIR`) holds the commit's
/// tree; `workspace` is the fairflow workspace inside it (the same sub-path as in the repository).
public struct ScratchWorkspace: Sendable {
  public let directory: String
  public let workspace: String
}

/// Reads a workspace's records, repository and object store (never writes to them) to plan,
/// materialise and compare a reproduction. Running the child process is the caller's part.
public final class Reproducer {
  public let root: String
  let store: ProvenanceStore
  let objects: ObjectStore
  /// The workspace's path inside the repository ("" at the top, else "sub/dir/").
  let prefix: String

  /// `root`: the workspace (real path). Refuses when no records exist.
  public init(workspace root: String) throws {
    guard let store = try ProvenanceStore.open(workspace: root, create: false, indexCache: false),
      try store.tip() != nil
    else {
      throw ReproductionRefusal(
        "no provenance recorded in this workspace yet", hint: "`fairflow run` records it")
    }
    guard !store.isFallback, let workdir = store.repository.workingDirectory else {
      throw ReproductionRefusal(
        "the workspace is not in a git repository: there is no code commit to rebuild",
        hint: "`git init`, commit the pipeline and code, and run again")
    }
    self.root = root
    self.store = store
    self.objects = ObjectStore(workspace: root)
    let dir = workdir.hasSuffix("/") ? workdir : workdir + "/"
    let inner = root.hasPrefix(dir) ? String(root.dropFirst(dir.count)) : ""
    self.prefix = inner.isEmpty || inner.hasSuffix("/") ? inner : inner + "/"
  }

  /// Traces the content (`sha256`) found at workspace-relative `path` and plans its reproduction.
  public func plan(path: String, sha256: String, size: Int) throws -> ReproductionPlan {
    let node = try Tracer(store: store, workspace: root).trace(
      path: path, sha256: sha256, size: size)
    let commit = node.producer?.context.commit.flatMap(ObjectID.init(hex:))
    let tree = try commit.map { id throws(GitError) in try store.repository.commit(id).tree }
    let repository = store.repository
    let objects = self.objects
    let world = Reproduction.World(
      treeDigest: { [prefix] path in
        guard let tree, let entry = try? repository.treeEntry(tree, path: prefix + path),
          !entry.isTree, let bytes = try? repository.readBlob(entry.id)
        else { return nil }
        return Digest.of(bytes).hex
      },
      storeHas: { hex, isDirectory in
        guard let digest = Digest(hex: hex) else { return false }
        guard isDirectory else { return objects.contains(digest) }
        guard let manifest = try? objects.manifest(digest) else { return false }
        return manifest.entries.allSatisfy { objects.contains($0.digest) }
      })
    return try Reproduction.plan(node, world: world)
  }

  /// Writes the plan's commit tree into a fresh `$TMPDIR/fairflow-reproduce-XXXXXX` and places
  /// the roots kept in the object store (copies: the scratch run cannot touch the store).
  public func materialise(_ plan: ReproductionPlan) throws -> ScratchWorkspace {
    guard let id = ObjectID(hex: plan.commit) else {
      throw ReproductionRefusal("malformed code commit '\(plan.commit)' in the records")
    }
    let tmp = ProcessInfoLite.temporaryDirectory
    var template = Array((tmp + "/fairflow-reproduce-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
      throw ProvenanceError("cannot create a scratch directory in \(tmp)")
    }
    let directory = String(cString: made)
    let scratch = ScratchWorkspace(
      directory: directory,
      workspace: prefix.isEmpty ? directory : directory + "/" + String(prefix.dropLast()))
    do {
      try write(tree: try store.repository.commit(id).tree, to: directory)
      try FileIO.makeDirectories(scratch.workspace)
      for root in plan.roots where root.source == .objectStore {
        try place(root, in: scratch.workspace)
      }
    } catch {
      try? FileIO.remove(directory)
      throw error
    }
    return scratch
  }

  /// Writes the files of `tree` below `directory` (one file in memory at a time).
  func write(tree: ObjectID, to directory: String) throws {
    try walk(tree: tree) { entry in
      let path = directory + "/" + entry.path
      switch entry.kind {
      case .directory:
        try FileIO.makeDirectories(path)
      case .symlink(let target):
        guard symlink(target, path) == 0 else {
          throw ProvenanceError("cannot create the symlink \(path)")
        }
      case .file(let bytes, let executable):
        try FileIO.writeAtomically(
          bytes, to: path, mode: executable ? 0o755 : 0o644, durable: false)
      }
    }
  }

  func place(_ root: ReproductionPlan.Root, in workspace: String) throws {
    guard let digest = Digest(hex: root.sha256) else { return }
    let target = workspace + "/" + root.path
    try FileIO.remove(target)
    try FileIO.makeDirectories(FileIO.parent(of: target))
    guard root.isDirectory else {
      try FileIO.writeAtomically(
        try verifiedObject(digest, for: root.path), to: target, durable: false)
      return
    }
    for entry in try objects.manifest(digest).entries {
      let file = target + "/" + entry.path
      try FileIO.makeDirectories(FileIO.parent(of: file))
      try FileIO.writeAtomically(
        try verifiedObject(entry.digest, for: root.path + "/" + entry.path), to: file,
        mode: entry.executable ? 0o755 : 0o644, durable: false)
    }
  }

  /// An object's bytes, refused when they no longer hash to its name (a corrupt or tampered
  /// cache): re-running on them would prove nothing about the record.
  func verifiedObject(_ digest: Digest, for path: String) throws -> [UInt8] {
    let bytes = try FileIO.read(objects.path(of: digest))
    let actual = Digest.of(bytes)
    guard actual == digest else {
      throw ReproductionRefusal(
        "the object store's copy of input \(path) is corrupt: object \(digest.hex.prefix(12)) "
          + "hashes to \(actual.hex.prefix(12)) (\(objects.path(of: digest)))",
        hint: "`fairflow cache verify` lists corrupt objects; restore the input and run again")
    }
    return bytes
  }

  /// Compares every lineage stage's recorded outputs with the scratch workspace's.
  public func compare(_ plan: ReproductionPlan, scratch: ScratchWorkspace, childStatus: Int32)
    -> [StageComparison]
  {
    let observer = Observer(root: scratch.workspace, statCache: StatCache(file: ""))
    let observed = Reproduction.Observed(
      digest: { (try? observer.observe($0.path))??.digest.hex },
      texts: { [objects, root] output in
        guard let reproduced = try? FileIO.readText(scratch.workspace + "/" + output.path)
        else { return nil }
        if let digest = Digest(hex: output.sha256), objects.contains(digest),
          let bytes = try? FileIO.read(objects.path(of: digest)), Digest.of(bytes) == digest
        {
          return (String(decoding: bytes, as: UTF8.self), reproduced)
        }
        guard let bytes = try? FileIO.read(root + "/" + output.path),
          Digest.of(bytes).hex == output.sha256
        else { return nil }
        return (String(decoding: bytes, as: UTF8.self), reproduced)
      },
      files: { [objects] output in
        guard let digest = Digest(hex: output.sha256), let manifest = try? objects.manifest(digest)
        else { return [] }
        let base = scratch.workspace + "/" + output.path
        var differing: [String] = []
        for entry in manifest.entries
        where (try? FileHasher.hash(base + "/" + entry.path))?.digest != entry.digest {
          differing.append(entry.path)
        }
        let recorded = Set(manifest.entries.map(\.path))
        return differing + Self.files(under: base).filter { !recorded.contains($0) }
      },
      childStatus: childStatus,
      corrupt: { [objects] output in
        guard let digest = Digest(hex: output.sha256) else { return [] }
        func intact(_ d: Digest) -> Bool {
          // Streamed, as `fairflow cache verify` hashes objects; not cached: nothing to restore.
          guard objects.contains(d), let hashed = try? FileHasher.hash(objects.path(of: d)) else {
            return true
          }
          return hashed.digest == d
        }
        guard output.isDirectory else { return intact(digest) ? [] : [""] }
        guard intact(digest) else { return [".manifest"] }
        guard let manifest = try? objects.manifest(digest) else { return [] }
        return manifest.entries.filter { !intact($0.digest) }.map(\.path)
      })
    return plan.stages.map { Reproduction.compare($0, observed: observed) }
  }

  /// The relative paths of the files below `directory`, sorted.
  static func files(under directory: String, prefix: String = "") -> [String] {
    var out: [String] = []
    for name in (try? FileIO.list(directory)) ?? [] {
      let path = directory + "/" + name
      if (try? FileIO.stat(path))?.kind == .directory {
        out += files(under: path, prefix: prefix + name + "/")
      } else {
        out.append(prefix + name)
      }
    }
    return out
  }
}

/// `$TMPDIR` (else /tmp) without Foundation.
enum ProcessInfoLite {
  static var temporaryDirectory: String {
    guard let value = getenv("TMPDIR"), case let text = String(cString: value), !text.isEmpty
    else { return "/tmp" }
    return text.hasSuffix("/") && text.count > 1 ? String(text.dropLast()) : text
  }
}
