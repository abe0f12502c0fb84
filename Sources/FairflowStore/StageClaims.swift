public import FairflowBase
public import FairflowCore
internal import Glibc

/// Which stages of a pipeline the live `fairflow run`s write and read, and the one short lock
/// under which runs decide and record: `cache/locks/<pipeline digest>/`.
///
/// - `decide` — the **decision lock** (`flock`, exclusive, held for milliseconds): a run takes
///   it to check its plan against the other runs' claims and register its own, and again at its
///   end to merge its lock entries into `pipelines/NAME.lock`.
/// - `runs/<RUN>.journal` — one ``RunJournal`` per live run that writes anything, `flock`ed by
///   it: its claim, then its lock entries.
///
/// An up-to-date stage costs nothing here: a run that writes nothing takes the decision lock,
/// lists `runs/` and leaves; no per-stage file is opened, locked or written. A run waits for a
/// conflicting run by blocking on that run's journal lock (never by polling), then plans again.
/// The kernel drops every lock of a killed run; its journal, left unlocked, is recovered by the
/// next run that scans.
public final class StageClaims: @unchecked Sendable {
  public let directory: String
  var runsDirectory: String { directory + "/runs" }
  private var decisionFD: Int32 = -1

  /// A selected stage is written or read by a live run, and the run may not wait (`--no-wait`).
  public struct Locked: FairflowError {
    public var stage: String
    public var holder: WorkspaceLock.Holder?
    public init(stage: String, holder: WorkspaceLock.Holder?) {
      self.stage = stage
      self.holder = holder
    }
    public var message: String {
      "stage '\(stage)' is being run by another fairflow run"
        + (holder.map { " (\($0))" } ?? "")
    }
    public var hint: String? { "wait for it to finish, or run without --no-wait to wait" }
    public var exitStatus: ExitStatus { .locked }
  }

  public init(workspace root: String, pipeline file: String) {
    directory = CacheLayout(workspace: root).locks + "/" + String(Digest.of(file).hex.prefix(16))
  }

  deinit { unlockDecision() }

  /// A journal found by ``scan()``.
  public struct Journal: Sendable {
    public var path: String
    public var contents: RunJournal.Contents
  }

  /// Takes the decision lock (blocking: it is only ever held briefly).
  public func lockDecision() throws(StoreError) {
    guard decisionFD < 0 else { return }
    let path = directory + "/decide"
    var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    if fd < 0, errno == ENOENT {
      try FileIO.makeDirectories(directory)
      fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    }
    guard fd >= 0 else { throw .system("open", path: path) }
    while flock(fd, LOCK_EX) != 0 {
      guard errno == EINTR else {
        close(fd)
        throw .system("lock", path: path)
      }
    }
    decisionFD = fd
  }

  public func unlockDecision() {
    guard decisionFD >= 0 else { return }
    close(decisionFD)
    decisionFD = -1
  }

  /// Under the decision lock: the journals of live runs (their claims) and those left by dead
  /// runs. A dead run's journal stays locked by this process until ``discard(_:)``, so no other
  /// run recovers it twice.
  public func scan() -> (live: [Journal], orphaned: [Journal]) {
    precondition(decisionFD >= 0, "scan() without the decision lock")
    guard let names = try? FileIO.list(runsDirectory), !names.isEmpty else { return ([], []) }
    var live: [Journal] = [], orphaned: [Journal] = []
    for name in names where name.hasSuffix(".journal") {
      let path = runsDirectory + "/" + name
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { continue }
      let free = flock(fd, LOCK_SH | LOCK_NB) == 0
      let bytes = (try? FileIO.read(path)) ?? []
      let journal = Journal(path: path, contents: RunJournal.parse(bytes))
      if free {
        orphanLocks[path] = fd
        orphaned.append(journal)
      } else {
        close(fd)
        live.append(journal)
      }
    }
    return (live, orphaned)
  }

  private var orphanLocks: [String: Int32] = [:]

  /// Removes a recovered journal (its entries are in the lock file now).
  public func discard(_ journal: Journal) {
    unlink(journal.path)
    if let fd = orphanLocks.removeValue(forKey: journal.path) { close(fd) }
  }

  /// Under the decision lock: registers this run's claim; the journal stays locked until the
  /// run finishes.
  public func register(_ claim: RunJournal.Claim) throws(StoreError) -> RunJournal {
    precondition(decisionFD >= 0, "register() without the decision lock")
    try FileIO.makeDirectories(runsDirectory)
    let name = String(claim.run.map { $0 == "/" ? "%" : $0 })
    return try RunJournal.create(runsDirectory + "/" + name + ".journal", claim: claim)
  }

  /// Every lock entry in the journals of every pipeline's runs (for `cache gc`, which holds the
  /// workspace lock exclusively, so the journals are those of dead runs).
  public static func journaledEntries(workspace root: String) -> [LockEntry] {
    let locks = CacheLayout(workspace: root).locks
    var entries: [LockEntry] = []
    for pipeline in (try? FileIO.list(locks)) ?? [] {
      let runs = locks + "/" + pipeline + "/runs"
      for name in (try? FileIO.list(runs)) ?? [] where name.hasSuffix(".journal") {
        entries += RunJournal.parse((try? FileIO.read(runs + "/" + name)) ?? []).entries
      }
    }
    return entries
  }

  /// Blocks (in the kernel) until the run holding `journal` ends. Call without the decision lock.
  public static func waitForEnd(of journal: Journal) {
    let fd = open(journal.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }  // gone already
    while flock(fd, LOCK_SH) != 0, errno == EINTR {}
    close(fd)
  }
}
