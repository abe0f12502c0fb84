internal import FairflowBase
internal import Glibc

/// A `flock`ed file that names its holder: the mechanism under ``WorkspaceLock``. The kernel releases the lock when the holder dies; the record inside (pid,
/// host, start time) only serves the waiting message and the "took over" note.
enum HolderLockFile {
  enum Outcome {
    case acquired(Int32)
    /// Held by someone else and `wait` was false; the live holder, when its record names one.
    case busy(WorkspaceLock.Holder?)
  }

  /// Opens and locks `path` (shared or exclusive). When it is held: returns `.busy` without
  /// waiting, or calls `onWait` with the live holder and blocks until it is free.
  static func acquire(
    _ path: String, shared: Bool, wait: Bool, onWait: (WorkspaceLock.Holder?) -> Void
  ) throws(StoreError) -> Outcome {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .system("open", path: path) }
    let mode = shared ? LOCK_SH : LOCK_EX
    if flock(fd, mode | LOCK_NB) == 0 { return .acquired(fd) }
    guard errno == EWOULDBLOCK else {
      close(fd)
      throw .system("lock", path: path)
    }
    let holder = WorkspaceLock.readHolder(fd: fd, path: path).flatMap { $0.isAlive ? $0 : nil }
    guard wait else {
      close(fd)
      return .busy(holder)
    }
    onWait(holder)
    while flock(fd, mode) != 0 {
      guard errno == EINTR else {
        close(fd)
        throw .system("lock", path: path)
      }
    }
    return .acquired(fd)
  }

  /// Replaces the holder record (not fsynced: the flock is the lock, the record a message).
  static func writeRecord(_ text: String, to fd: Int32) {
    ftruncate(fd, 0)
    _ = text.utf8CString.withUnsafeBufferPointer { pwrite(fd, $0.baseAddress, $0.count - 1, 0) }
  }
}
