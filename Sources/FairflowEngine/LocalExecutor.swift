internal import Glibc
internal import Dispatch
internal import Synchronization
public import FairflowCore
internal import FairflowStore
public import FairflowBase

/// Runs jobs as child processes with `posix_spawn`, each in its own process group so the whole
/// tree of a stage (the shell and what it starts) can be terminated together.
///
/// stdout/stderr go to the job's log file; with `stream` set, they pass through a pipe and each
/// line is also handed to `stream` (the CLI prints it with a `[stage]` prefix).
public final class LocalExecutor: Executor, @unchecked Sendable {
  private let running = Mutex<[Int32: String]>([:])
  /// Serialises pipe creation and spawning so no child inherits another stage's pipe (the Slurm
  /// command runner takes it too).
  static let spawnLock = Mutex<Void>(())
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
    var pipeFDs: [Int32] = [-1, -1]
    let spawned: Result<Int32, Spawn.Failure> = LocalExecutor.spawnLock.withLock { _ in
      if stream != nil {
        guard pipe(&pipeFDs) == 0 else {
          return .failure(Spawn.Failure(text: "cannot create pipe"))
        }
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      }
      let result = Spawn.start(job, stdoutFD: stream != nil ? pipeFDs[1] : logFD)
      if stream != nil { close(pipeFDs[1]) }
      return result
    }
    guard case .success(let pid) = spawned else {
      close(logFD)
      if stream != nil { close(pipeFDs[0]) }
      if case .failure(let message) = spawned { return .couldNotStart(message.text) }
      return .couldNotStart("unknown")
    }
    running.withLock { $0[pid] = job.stage }
    registry?.register(pid: pid, stage: job.stage)
    // The pipe is copied to the log (and streamed) on a thread of its own until the stage's
    // processes close it.
    let reader: Task<Void, Never>? = stream.map { stream in
      let readFD = pipeFDs[0]
      let stage = job.stage
      return Task {
        await BlockingThread.run {
          LineForwarder.forward(from: readFD, to: logFD, stage: stage, stream: stream)
          close(readFD)
        }
      }
    }
    let status = await BlockingThread.run {
      var status: Int32 = 0
      while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
      return status
    }
    await reader?.value
    registry?.unregister(pid: pid)
    _ = running.withLock { $0.removeValue(forKey: pid) }
    close(logFD)
    let low = status & 0x7f
    if low == 0 { return .exited((status >> 8) & 0xff) }
    return .signalled(low)
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

/// posix_spawn with the stage's environment, working directory and its own process group.
enum Spawn {
  struct Failure: Error { var text: String }

  typealias AddChdir =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
  /// glibc ≥ 2.29 has it, but the Swift module map does not export it.
  static let addChdir: AddChdir? = {
    guard
      let symbol = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
    else { return nil }
    return unsafeBitCast(symbol, to: AddChdir.self)
  }()

  typealias AddCloseFrom =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
  /// glibc ≥ 2.34: closes every descriptor from N up in the child, so a stage never inherits
  /// fairflow's (or its parent's) descriptors, such as the pipes a caller reads fairflow's output
  /// from — an orphaned stage would otherwise keep them open.
  static let addCloseFrom: AddCloseFrom? = {
    guard
      let symbol = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
    else { return nil }
    return unsafeBitCast(symbol, to: AddCloseFrom.self)
  }()

  static func start(_ job: Job, stdoutFD: Int32) -> Result<Int32, Failure> {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, stdoutFD, 1)
    posix_spawn_file_actions_adddup2(&actions, stdoutFD, 2)
    _ = addCloseFrom?(&actions, 3)
    guard let addChdir else {
      return .failure(Failure(text: "posix_spawn_file_actions_addchdir_np is unavailable"))
    }
    let chdirResult = job.workingDirectory.withCString { addChdir(&actions, $0) }
    guard chdirResult == 0 else { return .failure(Failure(text: "cannot change directory")) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaultSignals = sigset_t()
    sigemptyset(&defaultSignals)
    for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaultSignals, signal) }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
    posix_spawnattr_setsigmask(&attributes, &emptyMask)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    var environment: [String: String] = [:]
    var index = 0
    while let entry = environ[index] {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      index += 1
    }
    for variable in job.environment { environment[variable.name] = variable.value }
    let envStrings = environment.map { "\($0.key)=\($0.value)" }

    var pid: pid_t = 0
    let result = withCStrings(job.arguments) { argv in
      withCStrings(envStrings) { envp in
        posix_spawn(&pid, job.arguments[0], &actions, &attributes, argv, envp)
      }
    }
    guard result == 0 else {
      return .failure(Failure(text: "\(job.arguments[0]): \(String(cString: strerror(result)))"))
    }
    return .success(pid)
  }

  static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R)
    -> R
  {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
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
