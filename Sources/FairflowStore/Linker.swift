internal import FairflowBase
internal import Glibc
internal import Synchronization

/// How an object is placed at a workspace path: reflink (copy-on-write clone), else hard link,
/// else a copy. The first strategy that works on this file system is remembered.
///
/// Objects and their links are read-only (0444/0555). A reflink or copy is a separate inode, so
/// nothing done to the workspace file reaches the store. A hard link shares the inode: editors
/// that save by replacing the file (most do) leave the store intact, and for ordinary users the
/// read-only mode refuses in-place writes; a process with CAP_DAC_OVERRIDE (root) can still
/// write in place, which `cache verify` detects (docs/decisions/002-link-strategy.md).
public final class Linker: Sendable {
  public enum Strategy: String, Sendable, CaseIterable { case reflink, hardlink, copy }

  private let allowed: [Strategy]
  /// Strategies that failed once on this file system; not tried again.
  private let failed = Mutex<Set<Strategy>>([])

  public init(allowed: [Strategy] = Strategy.allCases) { self.allowed = allowed }

  /// Places `source` at `destination` (which must not exist); returns the strategy used.
  @discardableResult
  public func place(_ source: String, at destination: String, executable: Bool) throws(StoreError)
    -> Strategy
  {
    let candidates = failed.withLock { failed in allowed.filter { !failed.contains($0) } }
    for strategy in candidates {
      switch strategy {
      case .reflink:
        if Linker.reflink(source, destination, executable: executable) { return .reflink }
      case .hardlink:
        if link(source, destination) == 0 { return .hardlink }
        if errno == EEXIST { throw .system("link", path: destination) }
      case .copy:
        try Linker.copy(source, destination, executable: executable)
        return .copy
      }
      _ = failed.withLock { $0.insert(strategy) }
    }
    throw StoreError(
      "place", path: destination,
      detail: "no link strategy worked (\(allowed.map(\.rawValue).joined(separator: ", ")))")
  }

  /// FICLONE ioctl; false when the file system cannot clone.
  static func reflink(_ source: String, _ destination: String, executable: Bool) -> Bool {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { return false }
    defer { close(input) }
    let output = open(
      destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, executable ? 0o555 : 0o444)
    guard output >= 0 else { return false }
    let ficlone: UInt = 0x4004_9409
    let ok = ioctl(output, ficlone, input) == 0
    close(output)
    if !ok { unlink(destination) }
    return ok
  }

  /// A plain read/write copy.
  static func copy(_ source: String, _ destination: String, executable: Bool) throws(StoreError) {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { throw .system("open", path: source) }
    defer { close(input) }
    let output = open(
      destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, executable ? 0o555 : 0o444)
    guard output >= 0 else { throw .system("create", path: destination) }
    defer { close(output) }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
      if n < 0 { if errno == EINTR { continue }; throw .system("read", path: source) }
      if n == 0 { return }
      try FileIO.writeAll(output, Array(buffer[0..<n]), path: destination)
    }
  }
}
