public import FairflowCore
public import FairflowStore

/// Measures the current content of workspace paths (files and directories) as `PathRecord`s,
/// re-hashing only files whose metadata changed since the stat cache saw them.
public final class Observer: Sendable {
  public let root: String
  public let statCache: StatCache
  /// The workspace directory, held open so paths are looked up relative to it.
  private let rootFD: Int32

  public init(root: String, statCache: StatCache) {
    self.root = root
    self.statCache = statCache
    self.rootFD = FileIO.openDirectory(root)
  }

  deinit { FileIO.closeDirectory(rootFD) }

  private func stat(_ relative: String) throws(StoreError) -> FileStat? {
    rootFD >= 0
      ? try FileIO.stat(relative, relativeTo: rootFD) : try FileIO.stat(root + "/" + relative)
  }

  /// Observes with memoisation, for read-only passes (status) where a path's content cannot
  /// change between the stage that produces it and the stage that depends on it.
  public func observe(_ path: String, memo: inout [String: PathRecord?]) throws(StoreError)
    -> PathRecord?
  {
    if let known = memo[path] { return known }
    let record = try observe(path)
    memo[path] = record
    return record
  }

  /// The record of `path`, or nil when it does not exist. Symlinks are followed for deps.
  public func observe(_ path: String) throws(StoreError) -> PathRecord? {
    guard var st = try stat(path) else { return nil }
    if st.kind == .symlink {
      guard let target = FileIO.realPath(root + "/" + path), let resolved = try FileIO.stat(target)
      else { return nil }
      st = resolved
      if st.kind == .file {
        let (digest, size) = try FileHasher.hash(target)
        return PathRecord(path: path, digest: digest, size: size)
      }
    }
    switch st.kind {
    case .file:
      let digest = try statCache.digestOfFile(path, root: root, stat: st)
      return PathRecord(path: path, digest: digest, size: st.size)
    case .directory:
      var entries: [DirectoryManifest.Entry] = []
      try collect(path, prefix: path + "/", into: &entries)
      let manifest = DirectoryManifest(entries: entries)
      return PathRecord(
        path: path, digest: manifest.digest, size: manifest.totalSize, kind: .directory,
        files: entries.count)
    default:
      throw StoreError("read", path: path, detail: "not a regular file or directory")
    }
  }

  private func collect(
    _ directory: String, prefix: String, into entries: inout [DirectoryManifest.Entry]
  ) throws(StoreError) {
    for name in try FileIO.list(root + "/" + directory) {
      let relative = directory + "/" + name
      guard let st = try stat(relative) else { continue }
      switch st.kind {
      case .directory: try collect(relative, prefix: prefix, into: &entries)
      case .file:
        let digest = try statCache.digestOfFile(relative, root: root, stat: st)
        entries.append(
          .init(
            path: String(relative.dropFirst(prefix.count)), digest: digest, size: st.size,
            executable: st.isExecutable))
      case .symlink:
        // A symlink inside a directory is recorded by its target's content.
        if let target = FileIO.realPath(root + "/" + relative), let tst = try FileIO.stat(target),
          tst.kind == .file
        {
          let (digest, size) = try FileHasher.hash(target)
          entries.append(
            .init(
              path: String(relative.dropFirst(prefix.count)), digest: digest, size: size,
              executable: tst.isExecutable))
        }
      case .other: continue
      }
    }
  }
}
