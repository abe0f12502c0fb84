public import FairflowCore
internal import FairflowBase
internal import FairflowStore
internal import Dispatch
internal import Glibc
internal import Synchronization

/// Runs jobs as child processes (``ChildProcess``), each in its own process group so the whole
/// tree of a stage (the shell and what it starts) can be terminated together.
///
/// stdout/stderr go to the job's log file; with `stream` set, they pass through a pipe and each
/// line is also handed to `stream` (the CLI prints it with a `[stage]` prefix).
public final class LocalExecutor: Executor, @unchecked Sendable {
  private let running = Mutex<[Int32: String]>([:])
  private let stream: (@Sendable (String, String) -> Void)?
  /// Seconds between SIGTERM and SIGKILL when terminating.
  public let gracePeriod: Double
  /// Where started process groups are listed while they run (see ``StageProcessRegistry``).
  private let registry: StageProcessRegistry?

  public init(
    gracePeriod: Double = 5, registry: StageProcessRegistry? = nil,
    stream: (@Sendable (String, String) -> Void)? = nil
  ) {
    self.gracePeriod = gracePeriod
    self.registry = registry
    self.stream = stream
  }

  public func run(_ job: Job) async -> StageOutcome {
    let logFD = open(job.logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard logFD >= 0 else {
      return .couldNotStart("cannot open log \(job.logPath): \(String(cString: strerror(errno)))")
    }
    var pipeFDs: (read: Int32, write: Int32) = (-1, -1)
    let spawned: Result<Int32, ChildProcess.Failure> = ChildProcess.spawnLock.withLock { _ in
      if stream != nil {
        guard let fds = ChildProcess.makePipe() else {
          return .failure(ChildProcess.Failure(text: "cannot create pipe"))
        }
        pipeFDs = fds
      }
      let output = stream != nil ? pipeFDs.write : logFD
      let result = ChildProcess.spawn(
        job.arguments, environment: job.environment, workingDirectory: job.workingDirectory,
        stdout: output, stderr: output)
      if stream != nil { close(pipeFDs.write) }
      return result
    }
    let pid: Int32
    switch spawned {
    case .success(let started): pid = started
    case .failure(let failure):
      close(logFD)
      if stream != nil { close(pipeFDs.read) }
      return .couldNotStart(failure.text)
    }
    running.withLock { $0[pid] = job.stage }
    registry?.register(pid: pid, stage: job.stage)
    // The pipe is copied to the log (and streamed) on a thread of its own until the stage's
    // processes close it.
    let reader: Task<Void, Never>? = stream.map { stream in
      let readFD = pipeFDs.read
      let stage = job.stage
      return Task {
        await BlockingThread.run {
          LineForwarder.forward(from: readFD, to: logFD, stage: stage, stream: stream)
          close(readFD)
        }
      }
    }
    let termination = await BlockingThread.run { ChildProcess.wait(pid) }
    await reader?.value
    registry?.unregister(pid: pid)
    _ = running.withLock { $0.removeValue(forKey: pid) }
    close(logFD)
    switch termination {
    case .exited(let code): return .exited(code)
    case .signalled(let signal): return .signalled(signal)
    }
  }

  public func terminateAll() async {
    let pids = running.withLock { Array($0.keys) }
    guard !pids.isEmpty else { return }
    for pid in pids { kill(-pid, SIGTERM) }
    let deadline = MonotonicClock.now() + gracePeriod
    while MonotonicClock.now() < deadline {
      if running.withLock({ $0.isEmpty }) { return }
      try? await Task.sleep(nanoseconds: 50_000_000)
    }
    for pid in running.withLock({ Array($0.keys) }) { kill(-pid, SIGKILL) }
  }
}

/// Copies a pipe to the log file and hands complete lines to a callback.
enum LineForwarder {
  static func forward(
    from readFD: Int32, to logFD: Int32, stage: String, stream: (String, String) -> Void
  ) {
    var buffer = [UInt8](repeating: 0, count: 65536)
    var pending: [UInt8] = []
    while true {
      let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      _ = buffer.withUnsafeBytes { write(logFD, $0.baseAddress, n) }
      pending.append(contentsOf: buffer[0..<n])
      while let newline = pending.firstIndex(of: 10) {
        stream(stage, String(decoding: pending[..<newline], as: UTF8.self))
        pending.removeSubrange(...newline)
      }
    }
    if !pending.isEmpty { stream(stage, String(decoding: pending, as: UTF8.self)) }
  }
}
