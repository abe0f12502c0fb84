internal import FairflowBase
internal import FairflowStore
internal import Glibc
internal import Synchronization

/// Remembers which stage process groups a run started, so the next run can stop those that a
/// killed `fairflow` left behind.
///
/// A group listed in `cache/running/` whose owning `fairflow` is gone belongs to a run that died
/// (SIGKILL, OOM, power cut of a login node): its outputs would race the next run's. Each running
/// `fairflow` appends to one file, `cache/running/<owner pid>-<owner start time>`, a line
/// `+ PID START STAGE` when it spawns a group leader and `- PID` when it reaps it; start times are
/// field 22 of `/proc/PID/stat`, so a recycled pid is never mistaken for a stage and a live
/// concurrent run's stages are left alone. One file per run, two `write`s per stage: no file is
/// created or removed per stage.
///
/// Lines are written right after spawning and reaping (not fsynced: after a power cut no process
/// survives). A run killed between `posix_spawn` and the line's write (microseconds) leaves one
/// group unlisted; that is the remaining gap. ``close()`` removes the file at the end of a run.
public final class StageProcessRegistry: Sendable {
  public let directory: String
  private let file = Mutex<Int32>(-1)

  public init(directory: String) { self.directory = directory }

  /// The registry of a workspace: `cache/running/`.
  public convenience init(workspace root: String) {
    self.init(directory: CacheLayout(workspace: root).running)
  }

  deinit { close() }

  /// A group found alive and stopped by ``reapOrphans(timeout:)``.
  public struct Orphan: Sendable, Equatable {
    public var pid: Int32
    public var stage: String
  }

  /// This process's file, named by its pid and start time.
  var path: String? {
    guard let start = Self.startTime(of: getpid()) else { return nil }
    return "\(directory)/\(getpid())-\(start)"
  }

  func register(pid: Int32, stage: String) {
    guard let start = Self.startTime(of: pid) else { return }
    append("+ \(pid) \(start) \(String(stage.map { $0.isNewline ? " " : $0 }))\n")
  }

  func unregister(pid: Int32) { append("- \(pid)\n") }

  private func append(_ line: String) {
    file.withLock { fd in
      if fd < 0 {
        guard let path else { return }
        mkdir(directory, 0o755)
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
      }
      var bytes = Array(line.utf8)
      _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
    }
  }

  /// Removes this run's file (its stages have all been reaped).
  public func close() {
    file.withLock { fd in
      guard fd >= 0 else { return }
      if let path { unlink(path) }
      Glibc.close(fd)
      fd = -1
    }
  }

  /// Kills (SIGKILL, whole group) every listed stage group whose owning run is gone and that is
  /// still alive, waits up to `timeout` seconds for each to disappear, and removes the files of
  /// runs that are gone.
  @discardableResult
  public func reapOrphans(timeout: Double = 5) -> [Orphan] {
    guard let names = try? FileIO.list(directory) else { return [] }
    var reaped: [Orphan] = []
    for name in names {
      let path = "\(directory)/\(name)"
      let owner = name.split(separator: "-").compactMap { UInt64($0) }
      // A live owner (another run going on right now, or this one) keeps its stages.
      if owner.count == 2, let started = Self.startTime(of: Int32(truncatingIfNeeded: owner[0])),
        started == owner[1]
      {
        continue
      }
      defer { unlink(path) }
      guard owner.count == 2, let bytes = try? FileIO.read(path) else { continue }
      var groups: [Int32: (start: UInt64, stage: String)] = [:]
      var order: [Int32] = []
      for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
        let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count >= 2, let pid = Int32(fields[1]), pid > 1 else { continue }
        if fields[0] == "+", fields.count == 4, let start = UInt64(fields[2]) {
          groups[pid] = (start, String(fields[3]))
          order.append(pid)
        } else if fields[0] == "-" {
          groups[pid] = nil
        }
      }
      for pid in order {
        guard let (recorded, stage) = groups.removeValue(forKey: pid) else { continue }
        // A live leader must be the very process we started; a dead leader's group can still
        // hold its children, and no new process can take a pid that is still a group id.
        if let start = Self.startTime(of: pid), start != recorded { continue }
        guard kill(-pid, 0) == 0 else { continue }
        kill(-pid, SIGKILL)
        let deadline = MonotonicClock.now() + timeout
        while kill(-pid, 0) == 0, MonotonicClock.now() < deadline { usleep(10_000) }
        reaped.append(Orphan(pid: pid, stage: stage))
      }
    }
    return reaped
  }

  /// Start time of a process in clock ticks since boot, or nil when it does not exist (or is a
  /// zombie, which can do no more harm).
  static func startTime(of pid: Int32) -> UInt64? {
    guard let bytes = try? FileIO.read("/proc/\(pid)/stat"),
      let close = bytes.lastIndex(of: UInt8(ascii: ")"))
    else { return nil }
    // Fields after the command name: state is field 3, starttime field 22.
    let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
    guard fields.count > 19, !fields[0].elementsEqual([UInt8(ascii: "Z")]) else { return nil }
    return UInt64(String(decoding: fields[19], as: UTF8.self))
  }
}
