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
    try walk(tree: object.tree) { entries.append($0) }
    return SourceTree(commit: commit, time: object.time, entries: entries)
  }

  /// Every entry below `tree`, parents before their contents, as a checkout would give them:
  /// the one reading of git's modes that the source archive and the scratch workspace share.
  func walk(tree: ObjectID, prefix: String = "", _ visit: (SourceTree.Entry) throws -> Void)
    throws
  {
    let repository = store.repository
    for entry in try repository.treeEntries(tree) {
      let path = prefix + entry.name
      switch entry.mode {
      case 0o040000:
        try visit(.init(path: path, kind: .directory))
        try walk(tree: entry.id, prefix: path + "/", visit)
      case 0o160000:
        try visit(.init(path: path, kind: .directory))
      case 0o120000:
        let target = String(decoding: try repository.readBlob(entry.id), as: UTF8.self)
        try visit(.init(path: path, kind: .symlink(target: target)))
      default:
        try visit(
          .init(
            path: path,
            kind: .file(try repository.readBlob(entry.id), executable: entry.mode == 0o100755)))
      }
    }
  }
}
