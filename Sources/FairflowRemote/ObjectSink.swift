public import FairflowBase
public import FairflowStore
internal import Glibc

/// A download on its way into the store: bytes go to `cache/tmp/remote/<digest>.part`, hashed as
/// they arrive. ``finish(into:)`` promotes the file only when its SHA-256 is the object's name;
/// anything else is deleted and refused. A partial file left by an interrupted pull is resumed
/// (its bytes are hashed again first) when no other process is writing it.
public final class ObjectSink: @unchecked Sendable {
  public let digest: Digest
  let path: String
  private var fd: Int32
  private var hasher = ContentHasher()
  /// Bytes written so far (where a ranged request resumes).
  public private(set) var count = 0
  private var buffer: [UInt8] = []

  static let flushSize = 1 << 20

  /// Opens (or resumes) the partial file of `digest` under `directory`.
  public init(digest: Digest, directory: String) throws {
    self.digest = digest
    try FileIO.makeDirectories(directory)
    var name = directory + "/" + digest.hex + ".part"
    var descriptor = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    if descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      // Another pull is writing it: download to a name of our own.
      close(descriptor)
      name = directory + "/\(digest.hex).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).part"
      descriptor = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    }
    guard descriptor >= 0 else {
      throw RemoteError("cannot create \(name): " + String(cString: strerror(errno)))
    }
    fd = descriptor
    path = name
    try rehashExisting()
  }

  deinit { if fd >= 0 { close(fd) } }

  private func rehashExisting() throws {
    var chunk = [UInt8](repeating: 0, count: Self.flushSize)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      guard n >= 0 else { throw system("read") }
      if n == 0 { break }
      chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
      count += n
    }
  }

  public func write(_ bytes: [UInt8]) throws {
    bytes.withUnsafeBytes { hasher.update($0) }
    count += bytes.count
    if buffer.isEmpty, bytes.count >= Self.flushSize / 16 {
      try writeAll(bytes)  // large chunks go straight to the file
      return
    }
    buffer += bytes
    if buffer.count >= Self.flushSize { try flushBuffer() }
  }

  /// Discards everything written (the server ignored a range request).
  public func restart() throws {
    buffer.removeAll(keepingCapacity: true)
    guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { throw system("truncate") }
    hasher = ContentHasher()
    count = 0
  }

  private func flushBuffer() throws {
    try writeAll(buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  private func writeAll(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes {
        Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset)
      }
      if n < 0, errno == EINTR { continue }
      guard n > 0 else { throw system("write") }
      offset += n
    }
  }

  /// Verifies and moves the object into `store` (read-only). Not fsynced here: the caller syncs
  /// the file system once per batch, before anything that names the objects is written.
  /// Returns the number of bytes; throws ``RemoteError`` (the file deleted) when they do not hash
  /// to the digest.
  @discardableResult
  public func finish(into store: ObjectStore, remote: String, key: String, label: String) throws
    -> Int
  {
    try flushBuffer()
    let actual = hasher.finalize()
    guard actual == digest else {
      discard()
      throw RemoteError.corrupt(
        remote: remote, key: key, label: label, expected: digest, actual: actual, size: count)
    }
    fchmod(fd, 0o444)
    let target = store.path(of: digest)
    try FileIO.makeDirectories(FileIO.parent(of: target))
    guard rename(path, target) == 0 else { throw system("store") }
    close(fd)
    fd = -1
    return count
  }

  /// Deletes the partial file (nothing on the remote, or refused).
  public func discard() {
    unlink(path)
    if fd >= 0 { close(fd) }
    fd = -1
  }

  private func system(_ what: String) -> RemoteError {
    RemoteError("cannot \(what) \(path): " + String(cString: strerror(errno)))
  }
}
