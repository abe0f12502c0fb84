internal import Glibc
public import FairflowCore

/// The process mutex of a workspace: one `fairflow run` at a time.
///
/// `cache/workspace-lock` is held with `flock` (released by the kernel when the holder dies, so a
/// killed run never blocks the next one) and contains the holder's pid, host and start time for
/// the waiting message. A file that still names a holder when the lock is free means the holder
/// died without cleaning up: the lock is taken over and the caller is told.
public final class WorkspaceLock: @unchecked Sendable {
  public struct Holder: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    public var started: String
    public var description: String { "pid \(pid) on \(host), started \(started)" }
  }

  public struct Locked: FairflowError {
    public var holder: Holder?
    public var message: String {
      "the workspace is locked by another fairflow run" + (holder.map { " (\($0))" } ?? "")
    }
    public var hint: String? { "wait for it to finish, or run without --no-wait to wait" }
    public var exitStatus: ExitStatus { .locked }
  }

  public let path: String
  private var fd: Int32 = -1
  /// Set when a dead holder's record was found and replaced.
  public private(set) var brokenHolder: Holder?

  public init(workspace root: String) { path = root + "/cache/workspace-lock" }

  deinit { release() }

  /// Acquires the lock; `onWait` is called once with the holder when it must wait.
  public func acquire(wait: Bool, startedAt: String, onWait: (Holder?) -> Void) throws(any Error) {
    try FileIO.makeDirectories(FileIO.parent(of: path))
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw StoreError.system("open", path: path) }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EWOULDBLOCK else { throw StoreError.system("lock", path: path) }
      let holder = readHolder()
      guard wait else {
        close(fd)
        fd = -1
        throw Locked(holder: holder)
      }
      onWait(holder)
      while flock(fd, LOCK_EX) != 0 {
        if errno != EINTR { throw StoreError.system("lock", path: path) }
      }
    }
    brokenHolder = readHolder()
    let me = Holder(pid: getpid(), host: FileIO.hostname(), started: startedAt)
    let text =
      "{\"pid\":\(me.pid),\"host\":\(Value.quote(me.host)),\"started\":\(Value.quote(startedAt))}\n"
    ftruncate(fd, 0)
    // Not fsynced: the record only names the holder for messages; the flock is the lock.
    _ = text.utf8CString.withUnsafeBufferPointer { pwrite(fd, $0.baseAddress, $0.count - 1, 0) }
  }

  /// Clears the holder record and releases the lock.
  public func release() {
    guard fd >= 0 else { return }
    ftruncate(fd, 0)
    flock(fd, LOCK_UN)
    close(fd)
    fd = -1
  }

  private func readHolder() -> Holder? {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    guard n > 0,
      let value = try? ValueParser.parse(
        String(decoding: buffer[0..<n], as: UTF8.self), file: path),
      let pid = value["pid"]?.intValue
    else { return nil }
    return Holder(
      pid: Int32(pid), host: value["host"]?.stringValue ?? "?",
      started: value["started"]?.stringValue ?? "?")
  }
}
