public import FairflowBase
internal import FairflowCore
internal import Dispatch
internal import Glibc
internal import Synchronization

/// SHA-256 of files, streamed in 4 MiB reads (constant memory), several files in parallel.
public enum FileHasher {
  static let chunk = 4 << 20

  /// Hashes one file; returns its digest and size.
  public static func hash(_ path: String) throws(StoreError) -> (digest: Digest, size: Int) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .system("hash", path: path) }
    defer { close(fd) }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
    defer { buffer.deallocate() }
    var hasher = ContentHasher()
    var size = 0
    while true {
      let n = Glibc.read(fd, buffer.baseAddress, chunk)
      if n < 0 {
        if errno == EINTR { continue }
        throw .system("hash", path: path)
      }
      if n == 0 { break }
      hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      size += n
    }
    return (hasher.finalize(), size)
  }

  /// Hashes several files concurrently (one worker per core); results in input order.
  public static func hash(_ paths: [String]) throws(StoreError) -> [(digest: Digest, size: Int)] {
    if paths.count <= 1 { return try paths.map { (p) throws(StoreError) in try hash(p) } }
    let results = ResultBox(count: paths.count)
    DispatchQueue.concurrentPerform(iterations: paths.count) { index in
      results.set(index, Result { () throws(StoreError) in try hash(paths[index]) })
    }
    return try results.values.map { (r) throws(StoreError) in try r!.get() }
  }
}

/// A fixed-size result array written from concurrent workers, each index once.
final class ResultBox: Sendable {
  private let storage: Mutex<[Result<(digest: Digest, size: Int), StoreError>?]>
  init(count: Int) { storage = Mutex(Array(repeating: nil, count: count)) }
  func set(_ index: Int, _ value: Result<(digest: Digest, size: Int), StoreError>) {
    storage.withLock { $0[index] = value }
  }
  var values: [Result<(digest: Digest, size: Int), StoreError>?] { storage.withLock { $0 } }
}
