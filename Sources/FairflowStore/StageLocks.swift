internal import Glibc
public import FairflowCore

/// One exclusive lock per stage of a pipeline, held by the `fairflow run` that may write the
/// stage's outputs: two runs whose stage sets (targets plus everything upstream) overlap take
/// turns; runs on disjoint stages proceed in parallel.
///
/// `cache/locks/<pipeline digest>/<stage digest>` is held with `flock`, so a killed run's locks
/// vanish with it; the file names the holder (pid, host, start time, stage) for the waiting
/// message. Locks are taken in file-name order, so two waiting runs can never deadlock.
public final class StageLocks: @unchecked Sendable {
  public struct Locked: FairflowError {
    public var stage: String
    public var holder: WorkspaceLock.Holder?
    public var message: String {
      "stage '\(stage)' is being run by another fairflow run"
        + (holder.map { " (\($0))" } ?? "")
    }
    public var hint: String? { "wait for it to finish, or run without --no-wait to wait" }
    public var exitStatus: ExitStatus { .locked }
  }

  public let directory: String
  private var held: [Int32] = []
  /// Stages whose lock file still named a holder that is gone (a killed run).
  public private(set) var brokenHolders: [(stage: String, holder: WorkspaceLock.Holder)] = []

  public init(workspace root: String, pipeline file: String) {
    directory = root + "/cache/locks/" + String(Digest.of(file).hex.prefix(16))
  }

  deinit { release() }

  /// Locks `stages` (exclusive), waiting for each busy one unless `wait` is false, in which case
  /// nothing stays locked and ``Locked`` is thrown. `onWait` is called for each stage waited for.
  public func acquire(
    _ stages: [String], wait: Bool, startedAt: String,
    onWait: (String, WorkspaceLock.Holder?) -> Void
  ) throws(any Error) {
    try FileIO.makeDirectories(directory)
    let ordered = stages.map { (name: $0, file: String(Digest.of($0).hex.prefix(24))) }
      .sorted { $0.file < $1.file }
    for stage in ordered {
      let path = directory + "/" + stage.file
      let outcome: HolderLockFile.Outcome
      do {
        outcome = try HolderLockFile.acquire(path, shared: false, wait: wait) {
          onWait(stage.name, $0)
        }
      } catch {
        release()
        throw error
      }
      guard case .acquired(let fd) = outcome else {
        release()
        if case .busy(let holder) = outcome { throw Locked(stage: stage.name, holder: holder) }
        return
      }
      if let previous = WorkspaceLock.readHolder(fd: fd, path: path), !previous.isAlive {
        brokenHolders.append((stage.name, previous))
      }
      HolderLockFile.writeRecord(
        WorkspaceLock.Holder.record(startedAt: startedAt, stage: stage.name), to: fd)
      held.append(fd)
    }
  }

  /// Clears this process's holder records and releases every lock.
  public func release() {
    for fd in held {
      ftruncate(fd, 0)
      flock(fd, LOCK_UN)
      close(fd)
    }
    held.removeAll()
  }
}
