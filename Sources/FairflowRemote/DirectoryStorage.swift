internal import FairflowBase
internal import FairflowEngine
internal import FairflowStore
internal import Glibc

/// A remote on a mounted file system (NFS, Lustre, EOS or CVMFS mounts, a USB disk). Objects are
/// written to `tmp/` under the remote's root and renamed into place, so a reader (or a crash)
/// never sees a partial object; `flush()` syncs the file system once per batch. Blocking file
/// work runs on threads of its own: a network file system may take milliseconds per call.
public struct DirectoryStorage: RemoteStorage {
  public let name: String
  public let root: String

  public init(name: String, root: String) {
    self.name = name
    self.root = root
  }

  public var display: String { "remote '\(name)' (\(root))" }

  private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await BlockingThread.run { Result { try work() } }.get()
  }

  public func size(of key: String) async throws -> Int? {
    let (path, name) = (root + "/" + key, self.name)
    return try await blocking {
      do { return try FileIO.stat(path)?.size } catch {
        throw RemoteError("remote '\(name)': \(error)")
      }
    }
  }

  public func upload(_ source: ObjectSource, to key: String) async throws {
    let (root, name) = (self.root, self.name)
    try await blocking {
      let target = root + "/" + key
      let temp = "\(root)/tmp/\(getpid()).\(UInt32.random(in: 0...UInt32.max)).part"
      try Self.prepare(
        root: root, name: name, directories: [root + "/tmp", FileIO.parent(of: target)])
      let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
      guard fd >= 0 else { throw Self.failure(name, "create", temp) }
      var kept = false
      defer {
        close(fd)
        if !kept { unlink(temp) }
      }
      try source.read { chunk in try Self.writeAll(fd, chunk, path: temp, remote: name) }
      guard rename(temp, target) == 0 else { throw Self.failure(name, "rename into", target) }
      kept = true
    }
  }

  public func put(_ bytes: [UInt8], to key: String) async throws {
    let (root, name) = (self.root, self.name)
    try await blocking {
      try Self.prepare(root: root, name: name, directories: [FileIO.parent(of: root + "/" + key)])
      try FileIO.writeAtomically(bytes, to: root + "/" + key, durable: false)
    }
  }

  public func download(_ key: String, into sink: ObjectSink) async throws -> Bool {
    let (path, name) = (root + "/" + key, self.name)
    return try await blocking {
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        if errno == ENOENT || errno == ENOTDIR { return false }
        throw Self.failure(name, "read", path)
      }
      defer { close(fd) }
      posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
      var offset = sink.count
      var chunk = [UInt8](repeating: 0, count: ObjectSource.chunkSize)
      while true {
        let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(offset)) }
        if n < 0, errno == EINTR { continue }
        guard n >= 0 else { throw Self.failure(name, "read", path) }
        if n == 0 { return true }
        try sink.write(n == chunk.count ? chunk : Array(chunk[0..<n]))
        offset += n
      }
    }
  }

  public func get(_ key: String, limit: Int) async throws -> [UInt8]? {
    let (path, name) = (root + "/" + key, self.name)
    return try await blocking {
      guard FileIO.exists(path) else { return nil }
      let bytes: [UInt8]
      do { bytes = try FileIO.read(path) } catch { throw RemoteError("remote '\(name)': \(error)") }
      guard bytes.count <= limit else {
        throw RemoteError("remote '\(name)': \(path) is larger than \(limit) bytes")
      }
      return bytes
    }
  }

  public func flush() async throws {
    let (root, name) = (self.root, self.name)
    try await blocking {
      guard FileIO.syncFileSystem(holding: root) else { throw Self.failure(name, "sync", root) }
    }
  }

  /// The root must exist (a remote is a place someone set up, not one a typo creates).
  static func prepare(root: String, name: String, directories: [String]) throws {
    guard (try? FileIO.stat(root))??.kind == .directory else {
      throw RemoteError(
        "remote '\(name)': \(root) is not a directory",
        hint: "create it (and mount the shared file system) first", exitStatus: .invalidInput)
    }
    for directory in directories {
      do { try FileIO.makeDirectories(directory) } catch {
        throw RemoteError("remote '\(name)': \(error)")
      }
    }
  }

  static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String, remote: String) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { throw failure(remote, "write", path) }
      offset += n
    }
  }

  private func failure(_ what: String, _ path: String) -> RemoteError {
    Self.failure(name, what, path)
  }

  static func failure(_ remote: String, _ what: String, _ path: String) -> RemoteError {
    RemoteError("remote '\(remote)': cannot \(what) \(path): " + String(cString: strerror(errno)))
  }
}
