internal import FairflowBase
internal import FairflowCore
internal import Glibc

/// Metadata of a path from `lstat`, enough to tell whether content may have changed.
public struct FileStat: Sendable, Hashable {
  public enum Kind: Sendable { case file, directory, symlink, other }
  public var kind: Kind
  public var device: UInt64
  public var inode: UInt64
  public var size: Int
  public var mtimeNanoseconds: Int64
  public var ctimeNanoseconds: Int64
  public var mode: UInt32
  public var isExecutable: Bool { mode & 0o111 != 0 }
}

/// Thin throwing wrappers over the POSIX calls the store needs. Every state write goes through
/// `writeAtomically`: temp file in the same directory, fsync, rename, fsync of the directory.
public enum FileIO {
  /// Wraps `lstat`; nil when the path does not exist.
  public static func stat(_ path: String) throws(StoreError) -> FileStat? {
    try stat(path, relativeTo: AT_FDCWD)
  }

  /// Wraps `fstatat(directory, path, AT_SYMLINK_NOFOLLOW)`: relative to an open directory the
  /// kernel does not walk the workspace's absolute prefix again for every file.
  public static func stat(_ path: String, relativeTo directory: Int32) throws(StoreError)
    -> FileStat?
  {
    var st = Glibc.stat()
    if fstatat(directory, path, &st, AT_SYMLINK_NOFOLLOW) != 0 {
      if errno == ENOENT || errno == ENOTDIR { return nil }
      throw .system("stat", path: path)
    }
    let kind: FileStat.Kind
    switch st.st_mode & S_IFMT {
    case S_IFREG: kind = .file
    case S_IFDIR: kind = .directory
    case S_IFLNK: kind = .symlink
    default: kind = .other
    }
    return FileStat(
      kind: kind, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int(st.st_size),
      mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
      ctimeNanoseconds: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec),
      mode: UInt32(st.st_mode & 0o7777))
  }

  public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  /// Opens a directory for `stat(_:relativeTo:)`; -1 on failure (callers fall back to paths).
  public static func openDirectory(_ path: String) -> Int32 {
    open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
  }

  public static func closeDirectory(_ fd: Int32) { if fd >= 0 { close(fd) } }

  /// Reads a whole file: straight into an array of the size `fstat` reports (snapshots of large
  /// pipelines are megabytes, read on every command), then whatever a growing file added.
  public static func read(_ path: String) throws(StoreError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .system("read", path: path) }
    defer { close(fd) }
    var st = Glibc.stat()
    let expected = fstat(fd, &st) == 0 ? max(Int(st.st_size), 0) : 0
    var failed = false
    var result = [UInt8](unsafeUninitializedCapacity: expected) { buffer, count in
      while count < expected {
        let n = Glibc.read(fd, buffer.baseAddress! + count, expected - count)
        if n < 0 {
          if errno == EINTR { continue }
          failed = true
          return
        }
        if n == 0 { return }
        count += n
      }
    }
    if failed { throw .system("read", path: path) }
    if expected > 0 && result.count < expected { return result }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .system("read", path: path)
      }
      if n == 0 { break }
      result.append(contentsOf: buffer[0..<n])
    }
    return result
  }

  public static func readText(_ path: String) throws(StoreError) -> String {
    String(decoding: try read(path), as: UTF8.self)
  }

  /// Removes temporaries (`NAME.PID.RANDOM` + `suffix`) left in `directory` by processes of this
  /// host that are gone (killed mid-write); a live process's temporaries are left alone, since
  /// concurrent runs share the workspace.
  public static func removeStaleTemporaries(in directory: String, suffix: String) {
    guard let names = try? list(directory) else { return }
    for name in names where name.hasSuffix(suffix) {
      let parts = name.dropLast(suffix.count).split(separator: ".")
      guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]), UInt32(parts.last!) != nil
      else { continue }
      if kill(pid, 0) != 0, errno == ESRCH { try? remove(directory + "/" + name) }
    }
  }

  /// Writes `bytes` to `path` atomically and durably (temp + fsync + rename + directory fsync).
  /// With `durable` false, the fsyncs are left out: the write is still atomic for every process
  /// (a reader sees the old file or the new one), but a power failure may lose it or leave it
  /// empty — for derived files whose loss costs only work (run-cache entries).
  public static func writeAtomically(
    _ bytes: some Collection<UInt8>, to path: String, mode: UInt32 = 0o644, durable: Bool = true
  ) throws(StoreError) {
    let directory = parent(of: path)
    try makeDirectories(directory)
    let temp = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
    guard fd >= 0 else { throw .system("create", path: temp) }
    var ok = false
    defer {
      if !ok { unlink(temp) }
    }
    let array = Array(bytes)
    try writeAll(fd, array, path: temp)
    if durable, fsync(fd) != 0 {
      close(fd)
      throw .system("fsync", path: temp)
    }
    close(fd)
    if rename(temp, path) != 0 { throw .system("rename", path: path) }
    ok = true
    if durable { syncDirectory(directory) }
  }

  public static func writeAtomically(_ text: String, to path: String) throws(StoreError) {
    try writeAtomically(Array(text.utf8), to: path)
  }

  /// Appends `bytes` to what `path` names, following links (a file, a device, a pipe); never
  /// creates it. Where that is this process's standard output or error (`/dev/stdout`), the
  /// bytes go through that descriptor, so they land after what the process printed and share
  /// its offset with the shell; a second description of a redirected file would not. Wraps
  /// `open(O_APPEND)` and `write`.
  public static func append(_ bytes: some Collection<UInt8>, to path: String) throws(StoreError) {
    var target = Glibc.stat()
    if fstatat(AT_FDCWD, path, &target, 0) == 0 {
      for standard: Int32 in [1, 2] {
        var st = Glibc.stat()
        if fstat(standard, &st) == 0, st.st_dev == target.st_dev, st.st_ino == target.st_ino {
          return try writeAll(standard, Array(bytes), path: path)
        }
      }
    }
    let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
    guard fd >= 0 else { throw .system("open", path: path) }
    defer { close(fd) }
    try writeAll(fd, Array(bytes), path: path)
  }

  static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0 {
        if errno == EINTR { continue }
        throw .system("write", path: path)
      }
      offset += n
    }
  }

  /// fsyncs a directory so a rename or link inside it is durable.
  public static func syncDirectory(_ path: String) {
    let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
  }

  /// `mkdir -p`.
  public static func makeDirectories(_ path: String) throws(StoreError) {
    if path.isEmpty || path == "/" || path == "." { return }
    if let st = try stat(path) {
      if st.kind == .directory { return }
      if st.kind == .symlink, let target = try? stat(realPath(path) ?? ""),
        target.kind == .directory
      {
        return
      }
      throw StoreError("create directory", path: path, detail: "a file is in the way")
    }
    try makeDirectories(parent(of: path))
    if mkdir(path, 0o755) != 0 && errno != EEXIST { throw .system("create directory", path: path) }
  }

  /// Removes a file, symlink or directory tree; missing paths are fine.
  public static func remove(_ path: String) throws(StoreError) {
    guard let st = try stat(path) else { return }
    if st.kind == .directory {
      // Read-only directories (restored outputs) must be made writable to empty them.
      chmod(path, 0o755)
      for name in try list(path) { try remove(path + "/" + name) }
      if rmdir(path) != 0 && errno != ENOENT { throw .system("remove", path: path) }
    } else if unlink(path) != 0 && errno != ENOENT {
      throw .system("remove", path: path)
    }
  }

  /// Directory entries, without `.` and `..`, sorted by byte order.
  public static func list(_ path: String) throws(StoreError) -> [String] {
    guard let dir = opendir(path) else { throw .system("list", path: path) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  public static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  public static func parent(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  public static func hostname() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, 255)
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }

  public static var processID: Int32 { getpid() }
}
