internal import FairflowBase
internal import FairflowGit

/// The files of a recorded code commit's tree, read from git objects (no checkout), for the
/// publish bundle's source archive: paths from the repository's top, sorted, with git's modes
/// reduced to what a checkout gives (executable bit, symbolic links; a submodule is an empty
/// directory, as in a reproduction's scratch workspace).
public struct SourceTree: Sendable {
  public struct Entry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
      case file([UInt8], executable: Bool)
      case directory
      case symlink(target: String)
    }

    public var path: String
    public var kind: Kind
  }

  public var commit: String
  /// The committer time, seconds since the epoch.
  public var time: Int
  public var entries: [Entry]
}

extension Reproducer {
  /// The workspace's directory inside the repository ("" at the top, else "sub/dir").
  public var repositoryPath: String { prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix }

  /// The tree of `commit` (a hex id the records name).
  public func sourceTree(commit: String) throws -> SourceTree {
    guard let id = ObjectID(hex: commit) else {
      throw ReproductionRefusal("malformed code commit '\(commit)' in the records")
    }
    let object = try store.repository.commit(id)
    var entries: [SourceTree.Entry] = []
    try collect(tree: object.tree, prefix: "", into: &entries)
    return SourceTree(commit: commit, time: object.time, entries: entries)
  }

  private func collect(tree: ObjectID, prefix: String, into entries: inout [SourceTree.Entry])
    throws
  {
    let repository = store.repository
    for entry in try repository.treeEntries(tree) {
      let path = prefix + entry.name
      switch entry.mode {
      case 0o040000:
        entries.append(.init(path: path, kind: .directory))
        try collect(tree: entry.id, prefix: path + "/", into: &entries)
      case 0o160000:
        entries.append(.init(path: path, kind: .directory))
      case 0o120000:
        let target = String(decoding: try repository.readBlob(entry.id), as: UTF8.self)
        entries.append(.init(path: path, kind: .symlink(target: target)))
      default:
        entries.append(
          .init(
            path: path,
            kind: .file(try repository.readBlob(entry.id), executable: entry.mode == 0o100755)))
      }
    }
  }
}
