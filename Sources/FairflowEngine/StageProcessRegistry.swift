internal import Glibc
internal import Foundation

/// Remembers which stage process groups a run started, so the next run can stop those that a
/// killed `fairflow` left behind.
///
/// A group listed in `cache/running/` whose owning `fairflow` is gone belongs to a run that died
/// (SIGKILL, OOM, power cut of a login node): its outputs would race the next run's. Each entry
/// is one file named after the group leader's pid holding the leader's start time (field 22 of
/// `/proc/PID/stat`), the stage name and the owner's pid and start time, so a recycled pid is
/// never mistaken for a stage and a live concurrent run's stages are left alone.
///
/// Entries are written right after spawning (not fsynced: after a power cut no process survives)
/// and removed when the leader is reaped. A run killed between `posix_spawn` and the entry write
/// (microseconds) leaves one group unlisted; that is the remaining gap.
public struct StageProcessRegistry: Sendable {
  public let directory: String

  public init(directory: String) { self.directory = directory }

  /// The registry of a workspace: `cache/running/`.
  public init(workspace root: String) { self.init(directory: root + "/cache/running") }

  /// A group found alive and stopped by ``reapOrphans()``.
  public struct Orphan: Sendable, Equatable {
    public var pid: Int32
    public var stage: String
  }

  func register(pid: Int32, stage: String) {
    guard let start = Self.startTime(of: pid), let owner = Self.startTime(of: getpid()) else {
      return
    }
    mkdir(directory, 0o755)
    let text = "\(start)\n\(stage)\n\(getpid()) \(owner)\n"
    try? Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(pid)"))
  }

  func unregister(pid: Int32) {
    unlink("\(directory)/\(pid)")
  }

  /// Kills (SIGKILL, whole group) every listed stage group whose owning run is gone and that is
  /// still alive, waits up to `timeout` seconds for each to disappear, and removes its entry.
  @discardableResult
  public func reapOrphans(timeout: Double = 5) -> [Orphan] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return []
    }
    var reaped: [Orphan] = []
    for name in names.sorted() {
      let path = "\(directory)/\(name)"
      guard let pid = Int32(name), pid > 1,
        let text = try? String(contentsOfFile: path, encoding: .utf8)
      else {
        unlink(path)
        continue
      }
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      let owner = lines.count >= 3 ? lines[2].split(separator: " ").compactMap { UInt64($0) } : []
      // A live owner (another run going on right now) keeps its stages.
      if owner.count == 2, let started = Self.startTime(of: Int32(truncatingIfNeeded: owner[0])),
        started == owner[1]
      {
        continue
      }
      defer { unlink(path) }
      guard lines.count >= 2, let recorded = UInt64(lines[0]) else { continue }
      let stage = String(lines[1])
      // A live leader must be the very process we started; a dead leader's group can still
      // hold its children, and no new process can take a pid that is still a group id.
      if let start = Self.startTime(of: pid), start != recorded { continue }
      guard kill(-pid, 0) == 0 else { continue }
      kill(-pid, SIGKILL)
      let deadline = Date().addingTimeInterval(timeout)
      while kill(-pid, 0) == 0, Date() < deadline { usleep(10_000) }
      reaped.append(Orphan(pid: pid, stage: stage))
    }
    return reaped
  }

  /// Start time of a process in clock ticks since boot, or nil when it does not exist (or is a
  /// zombie, which can do no more harm).
  static func startTime(of pid: Int32) -> UInt64? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    // Fields after the command name: state is field 3, starttime field 22.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 19, fields[0] != "Z" else { return nil }
    return UInt64(fields[19])
  }
}
