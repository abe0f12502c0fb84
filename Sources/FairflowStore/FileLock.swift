internal import Glibc

/// A short critical section between processes: `body` runs while this process holds an
/// exclusive `flock` on `path` (created if needed; released on return or when the process dies).
public enum FileLock {
  public static func withExclusive<R>(_ path: String, _ body: () throws -> R) throws -> R {
    try FileIO.makeDirectories(FileIO.parent(of: path))
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw StoreError.system("open", path: path) }
    defer { close(fd) }
    while flock(fd, LOCK_EX) != 0 {
      guard errno == EINTR else { throw StoreError.system("lock", path: path) }
    }
    return try body()
  }
}
