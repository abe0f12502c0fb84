public import FairflowBase
internal import FairflowCore
internal import Glibc

/// The workspace-wide lock: `fairflow run` holds it shared (runs on disjoint stages proceed in
/// parallel; ``StageClaims`` keep them off each other's stages) and `cache gc`, which deletes
/// objects, holds it exclusively.
///
/// `cache/workspace-lock` is held with `flock` (released by the kernel when the holder dies, so a
/// killed run never blocks the next one). An exclusive holder writes its pid, host and start time
/// for the waiting message; a file that still names a holder when the lock is free means the
/// holder died without cleaning up: the lock is taken over and the caller is told.
public final class WorkspaceLock: @unchecked Sendable {
  public struct Holder: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    public var started: String
    public var description: String { "pid \(pid) on \(host), started \(started)" }

    public init(pid: Int32, host: String, started: String) {
      self.pid = pid
      self.host = host
      self.started = started
    }

    /// This process's pid.
    public static var currentProcess: Int32 { getpid() }

    /// False only when the holder is known to be gone (same host, no such process).
    public var isAlive: Bool {
      host != FileIO.hostname() || kill(pid, 0) == 0 || errno == EPERM
    }

    static func record(startedAt: String) -> String {
      "{\"pid\":\(getpid()),\"host\":\(Value.quote(FileIO.hostname())),\"started\":\(Value.quote(startedAt))}\n"
    }
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

  public init(workspace root: String) { path = CacheLayout(workspace: root).workspaceLock }

  deinit { release() }

  /// Acquires the lock (exclusive, or shared with other runs); `onWait` is called once with
  /// the exclusive holder, if any, when it must wait.
  public func acquire(
    wait: Bool, startedAt: String, shared: Bool = false, onWait: (Holder?) -> Void
  ) throws(any Error) {
    try FileIO.makeDirectories(FileIO.parent(of: path))
    switch try HolderLockFile.acquire(path, shared: shared, wait: wait, onWait: onWait) {
    case .busy(let holder): throw Locked(holder: holder)
    case .acquired(let descriptor): fd = descriptor
    }
    // Shared holders leave the record alone: it names the last exclusive holder, if any.
    if shared { return }
    brokenHolder = readHolder()
    HolderLockFile.writeRecord(Holder.record(startedAt: startedAt), to: fd)
  }

  /// Clears the holder record (if this process wrote it) and releases the lock.
  public func release() {
    guard fd >= 0 else { return }
    if readHolder()?.pid == getpid() { ftruncate(fd, 0) }
    flock(fd, LOCK_UN)
    close(fd)
    fd = -1
  }

  func readHolder() -> Holder? { Self.readHolder(fd: fd, path: path) }

  static func readHolder(fd: Int32, path: String) -> Holder? {
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
