public import FairflowBase
internal import FairflowStore
internal import Glibc

/// A local object on its way to a remote, read in 1 MiB chunks and hashed as it is read. The
/// last chunk is handed over only after the digest matched, so an object corrupted in the local
/// cache is never completely sent: the upload fails and the remote keeps nothing.
public struct ObjectSource: Sendable {
  public let path: String
  public let digest: Digest
  public let size: Int
  /// What the object is, for messages (the output path, or the manifest's).
  public let label: String

  static let chunkSize = 1 << 20

  public init(path: String, digest: Digest, size: Int, label: String) {
    self.path = path
    self.digest = digest
    self.size = size
    self.label = label
  }

  /// Calls `body` with every chunk in order, checking the digest before the last one.
  public func read(_ body: ([UInt8]) throws -> Void) throws {
    let reader = try Reader(self)
    while let chunk = try reader.next() { try body(chunk) }
  }

  /// The chunks as a stream (for HTTP bodies), read afresh on every call.
  public func chunks() -> AsyncThrowingStream<[UInt8], any Error> {
    let reader = Result { try Reader(self) }
    return AsyncThrowingStream {
      try reader.get().next()
    }
  }

  /// One pass over the file. Touched by one consumer at a time (the stream asks for the next
  /// chunk only after the previous one was taken).
  final class Reader: @unchecked Sendable {
    private let source: ObjectSource
    private let fd: Int32
    private var hasher = ContentHasher()
    private var offset = 0
    private var done = false

    init(_ source: ObjectSource) throws {
      self.source = source
      fd = open(source.path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        throw RemoteError(
          "cannot read \(source.label) from the cache (\(source.path)): "
            + String(cString: strerror(errno)))
      }
      posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    deinit { close(fd) }

    func next() throws -> [UInt8]? {
      if done { return nil }
      let want = min(ObjectSource.chunkSize, source.size - offset)
      var failed = false
      let chunk = [UInt8](unsafeUninitializedCapacity: want) { buffer, count in
        var filled = 0
        while filled < want {
          let n = pread(fd, buffer.baseAddress! + filled, want - filled, off_t(offset + filled))
          if n < 0, errno == EINTR { continue }
          guard n > 0 else {
            failed = true
            break
          }
          filled += n
        }
        count = filled
      }
      if failed { throw changed() }
      chunk.withUnsafeBytes { hasher.update($0) }
      offset += want
      if offset == source.size {
        done = true
        var extra: UInt8 = 0
        guard pread(fd, &extra, 1, off_t(offset)) == 0 else { throw changed() }
        let actual = hasher.finalize()
        guard actual == source.digest else {
          throw RemoteError.localCorrupt(
            path: source.label, expected: source.digest, actual: actual)
        }
      }
      return chunk
    }

    private func changed() -> RemoteError {
      RemoteError(
        "the cache's copy of \(source.label) (\(source.path)) is not \(source.size) bytes long; "
          + "it was not uploaded",
        hint: "run `fairflow cache verify`")
    }
  }
}
