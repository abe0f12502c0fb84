public import FairflowBase
public import FairflowCore
internal import Glibc

/// Content-addressed storage of output files under `cache/objects/ab/cdef…` (SHA-256 hex).
///
/// A directory output is stored as its files plus a `DirectoryManifest` object. Objects are
/// immutable and read-only; every object is fsynced and renamed into place before any run-cache
/// entry or lock entry that names it is written, so a crash leaves at worst an unreferenced
/// object, never a reference to a missing or partial one. Temp files live in `cache/tmp/` and are
/// removed by the next run holding the workspace lock.
public final class ObjectStore: @unchecked Sendable {
  public let root: String
  public let objects: String
  public let temp: String
  public let linker: Linker
  private let realRoot: String

  public init(workspace root: String, linker: Linker = Linker()) {
    self.root = root
    self.objects = CacheLayout(workspace: root).objects
    self.temp = CacheLayout(workspace: root).temporary
    self.linker = linker
    self.realRoot = FileIO.realPath(root) ?? root
  }

  public func path(of digest: Digest) -> String {
    let hex = digest.hex
    return "\(objects)/\(hex.prefix(2))/\(hex.dropFirst(2))"
  }

  public func contains(_ digest: Digest) -> Bool { FileIO.exists(path(of: digest)) }

  /// True when every object needed to restore `record` is present.
  public func canRestore(_ record: PathRecord) -> Bool {
    guard contains(record.digest) else { return false }
    guard record.kind == .directory else { return true }
    guard let manifest = try? manifest(record.digest) else { return false }
    return manifest.entries.allSatisfy { contains($0.digest) }
  }

  public func manifest(_ digest: Digest) throws(StoreError) -> DirectoryManifest {
    let file = path(of: digest)
    return try DirectoryManifest.decode(try FileIO.readText(file), file: file)
  }

  // MARK: - Ingest

  /// Moves a freshly produced output into the store and leaves a read-only link in its place.
  ///
  /// `detached` outputs (declared `persist: true`) are modified in place by later runs, so the
  /// store gets a copy and the workspace file stays an independent, writable inode.
  public func ingest(_ relative: String, statCache: StatCache?, detached: Bool = false)
    throws(StoreError) -> PathRecord
  {
    let absolute = root + "/" + relative
    try ensureInside(relative)
    guard let st = try FileIO.stat(absolute) else {
      throw StoreError("store output", path: relative, detail: "the stage did not create it")
    }
    switch st.kind {
    case .file:
      let (digest, size, _) = try ingestFile(
        relative, stat: st, statCache: statCache, detached: detached)
      return PathRecord(path: relative, digest: digest, size: size)
    case .directory:
      var entries: [DirectoryManifest.Entry] = []
      try collect(
        relative, prefix: relative + "/", into: &entries, statCache: statCache, detached: detached)
      let manifest = DirectoryManifest(entries: entries)
      let digest = manifest.digest
      if !contains(digest) { try writeObject(Array(manifest.canonicalText.utf8), digest: digest) }
      return PathRecord(
        path: relative, digest: digest, size: manifest.totalSize, kind: .directory,
        files: entries.count)
    case .symlink:
      throw StoreError(
        "store output", path: relative, detail: "it is a symbolic link",
        hint: "outputs must be regular files or directories inside the workspace")
    case .other:
      throw StoreError(
        "store output", path: relative, detail: "it is not a regular file or directory")
    }
  }

  private func collect(
    _ directory: String, prefix: String, into entries: inout [DirectoryManifest.Entry],
    statCache: StatCache?, detached: Bool
  ) throws(StoreError) {
    for name in try FileIO.list(root + "/" + directory) {
      let relative = directory + "/" + name
      guard let st = try FileIO.stat(root + "/" + relative) else { continue }
      switch st.kind {
      case .directory:
        try collect(
          relative, prefix: prefix, into: &entries, statCache: statCache, detached: detached)
      case .file:
        let (digest, size, executable) = try ingestFile(
          relative, stat: st, statCache: statCache, detached: detached)
        entries.append(
          .init(
            path: String(relative.dropFirst(prefix.count)), digest: digest, size: size,
            executable: executable))
      case .symlink:
        throw StoreError(
          "store output", path: relative,
          detail: "it is a symbolic link inside an output directory",
          hint: "outputs must be regular files or directories inside the workspace")
      case .other:
        throw StoreError("store output", path: relative, detail: "it is not a regular file")
      }
    }
  }

  private func ingestFile(
    _ relative: String, stat st: FileStat, statCache: StatCache?, detached: Bool
  ) throws(StoreError) -> (Digest, Int, Bool) {
    let absolute = root + "/" + relative
    let executable = st.isExecutable
    let (digest, size) = try FileHasher.hash(absolute)
    let object = path(of: digest)
    if let existing = try FileIO.stat(object) {
      if !detached, existing.inode != st.inode || existing.device != st.device {
        // Identical content is already stored: replace the new file by a link to it.
        try FileIO.remove(absolute)
        try linker.place(object, at: absolute, executable: existing.isExecutable)
      }
    } else {
      if !detached {
        let mode: mode_t = executable ? 0o555 : 0o444
        if chmod(absolute, mode) != 0 { throw .system("make read-only", path: relative) }
        let fd = open(absolute, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
          fsync(fd)
          close(fd)
        }
      }
      try FileIO.makeDirectories(FileIO.parent(of: object))
      try FileIO.makeDirectories(temp)
      let staging = "\(temp)/\(digest.hex).\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
      if detached || link(absolute, staging) != 0 {
        // Different file system or no hard links: store a copy.
        try Linker.copy(absolute, staging, executable: executable)
        let copyFD = open(staging, O_RDONLY | O_CLOEXEC)
        if copyFD >= 0 {
          fsync(copyFD)
          close(copyFD)
        }
      }
      if rename(staging, object) != 0 {
        unlink(staging)
        throw .system("store object for", path: relative)
      }
      FileIO.syncDirectory(FileIO.parent(of: object))
    }
    if let statCache, let final = try FileIO.stat(absolute) {
      statCache.record(final, digest: digest)
    }
    return (digest, size, executable)
  }

  /// Writes bytes as an object (temp + fsync + rename).
  public func writeObject(_ bytes: [UInt8], digest: Digest) throws(StoreError) {
    try FileIO.writeAtomically(bytes, to: path(of: digest), mode: 0o444)
  }

  // MARK: - Restore

  /// Replaces whatever is at `record.path` with the stored content.
  public func restore(_ record: PathRecord, statCache: StatCache?) throws(StoreError) {
    try ensureInside(record.path)
    let absolute = root + "/" + record.path
    try FileIO.remove(absolute)
    try FileIO.makeDirectories(FileIO.parent(of: absolute))
    switch record.kind {
    case .file:
      let object = path(of: record.digest)
      let executable = (try FileIO.stat(object))?.isExecutable ?? false
      try linker.place(object, at: absolute, executable: executable)
      if let statCache, let st = try FileIO.stat(absolute) {
        statCache.record(st, digest: record.digest)
      }
    case .directory:
      let manifest = try manifest(record.digest)
      try FileIO.makeDirectories(absolute)
      for entry in manifest.entries {
        let target = absolute + "/" + entry.path
        try FileIO.makeDirectories(FileIO.parent(of: target))
        try linker.place(path(of: entry.digest), at: target, executable: entry.executable)
        if let statCache, let st = try FileIO.stat(target) {
          statCache.record(st, digest: entry.digest)
        }
      }
    }
  }

  /// Refuses paths whose existing parent directories resolve outside the workspace (symlinks).
  public func ensureInside(_ relative: String) throws(StoreError) {
    var ancestor = FileIO.parent(of: root + "/" + relative)
    while !FileIO.exists(ancestor), ancestor.count > root.count {
      ancestor = FileIO.parent(of: ancestor)
    }
    guard let real = FileIO.realPath(ancestor), real == realRoot || real.hasPrefix(realRoot + "/")
    else {
      throw StoreError(
        "use", path: relative, detail: "it resolves outside the workspace through a symbolic link",
        hint: "outputs must stay inside the workspace", exitStatus: .invalidInput)
    }
    if let st = try FileIO.stat(root + "/" + relative), st.kind == .symlink,
      let target = FileIO.realPath(root + "/" + relative),
      !(target == realRoot || target.hasPrefix(realRoot + "/"))
    {
      throw StoreError(
        "use", path: relative, detail: "it is a symbolic link that points outside the workspace",
        hint: "outputs must stay inside the workspace", exitStatus: .invalidInput)
    }
  }

  /// Stored objects of `record` that were changed in place through a hard link (possible only
  /// for root, see docs/decisions/002), found by comparing inodes with the workspace copy.
  public func modifiedInPlace(_ record: PathRecord, statCache: StatCache) -> [Digest] {
    var pairs: [(workspace: String, digest: Digest)] = []
    if record.kind == .file {
      pairs = [(record.path, record.digest)]
    } else if let manifest = try? manifest(record.digest) {
      pairs = manifest.entries.map { (record.path + "/" + $0.path, $0.digest) }
    }
    return pairs.compactMap { relative, digest in
      guard let object = try? FileIO.stat(path(of: digest)),
        let file = try? FileIO.stat(root + "/" + relative),
        object.inode == file.inode, object.device == file.device,
        let current = try? statCache.digestOfFile(relative, root: root, stat: file),
        current != digest
      else { return nil }
      return digest
    }
  }

  /// Moves the objects ``modifiedInPlace(_:statCache:)`` finds to `cache/quarantine/` so they
  /// are never restored. Returns the quarantined digests.
  @discardableResult
  public func quarantineModified(_ record: PathRecord, statCache: StatCache) -> [Digest] {
    var quarantined: [Digest] = []
    for digest in modifiedInPlace(record, statCache: statCache) {
      let target = CacheLayout(workspace: root).quarantine + "/\(digest.hex)"
      if (try? FileIO.makeDirectories(FileIO.parent(of: target))) != nil,
        rename(path(of: digest), target) == 0
      {
        quarantined.append(digest)
      }
    }
    return quarantined
  }

  /// Removes leftovers of interrupted writes (call with the workspace lock held).
  public func cleanTemporaries() {
    FileIO.removeStaleTemporaries(in: temp, suffix: "")
  }

  /// All stored object digests.
  public func allObjects() throws(StoreError) -> [Digest] {
    guard FileIO.exists(objects) else { return [] }
    var result: [Digest] = []
    for prefix in try FileIO.list(objects) {
      for rest in try FileIO.list(objects + "/" + prefix) {
        if let digest = Digest(hex: prefix + rest) { result.append(digest) }
      }
    }
    return result
  }
}
