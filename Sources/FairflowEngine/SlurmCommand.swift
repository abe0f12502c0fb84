internal import Glibc
internal import Dispatch
internal import Synchronization

/// What a Slurm client command (`sbatch`, `squeue`, `sacct`, `scontrol`, `scancel`) printed.
public struct SlurmCommandResult: Sendable, Equatable {
  public var status: Int32
  public var stdout: String
  public var stderr: String

  public init(status: Int32, stdout: String, stderr: String = "") {
    self.status = status
    self.stdout = stdout
    self.stderr = stderr
  }

  public var succeeded: Bool { status == 0 }

  /// stderr (or stdout) trimmed to one line, for messages.
  public var problem: String {
    let text = stderr.isEmpty ? stdout : stderr
    let lines = text.split(separator: "\n").map { $0.slurmTrimmed() }
    return lines.filter { !$0.isEmpty }.joined(separator: "; ")
  }
}

/// Runs Slurm client commands. The executor talks to Slurm only through this, so its logic is
/// tested with a scripted runner and no Slurm.
public protocol SlurmCommandRunner: Sendable {
  /// Runs `arguments` (`arguments[0]` looked up in `PATH`) to completion.
  func run(_ arguments: [String]) async -> SlurmCommandResult
}

/// Runs commands as child processes (in their own process group, so a Ctrl-C on the terminal
/// reaches fairflow, which then runs `scancel`, rather than killing that `scancel`).
public struct ProcessSlurmCommandRunner: SlurmCommandRunner {
  public init() {}

  public func run(_ arguments: [String]) async -> SlurmCommandResult {
    await withCheckedContinuation {
      (continuation: CheckedContinuation<SlurmCommandResult, Never>) in
      DispatchQueue.global().async { continuation.resume(returning: Self.runBlocking(arguments)) }
    }
  }

  static func runBlocking(_ arguments: [String]) -> SlurmCommandResult {
    var outPipe: [Int32] = [-1, -1]
    var errPipe: [Int32] = [-1, -1]
    var pid: pid_t = 0
    let spawnResult: Int32 = LocalExecutor.spawnLock.withLock { _ in
      guard pipe(&outPipe) == 0 else { return errno }
      guard pipe(&errPipe) == 0 else {
        close(outPipe[0])
        close(outPipe[1])
        return errno
      }
      for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
      var actions = posix_spawn_file_actions_t()
      posix_spawn_file_actions_init(&actions)
      defer { posix_spawn_file_actions_destroy(&actions) }
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
      posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
      posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
      _ = Spawn.addCloseFrom?(&actions, 3)
      var attributes = posix_spawnattr_t()
      posix_spawnattr_init(&attributes)
      defer { posix_spawnattr_destroy(&attributes) }
      var defaultSignals = sigset_t()
      sigemptyset(&defaultSignals)
      for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] {
        sigaddset(&defaultSignals, signal)
      }
      var emptyMask = sigset_t()
      sigemptyset(&emptyMask)
      posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
      posix_spawnattr_setsigmask(&attributes, &emptyMask)
      posix_spawnattr_setpgroup(&attributes, 0)
      posix_spawnattr_setflags(
        &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
      let result = Spawn.withCStrings(arguments) { argv in
        posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
      }
      close(outPipe[1])
      close(errPipe[1])
      return result
    }
    guard spawnResult == 0 else {
      if outPipe[0] >= 0 { close(outPipe[0]) }
      if errPipe[0] >= 0 { close(errPipe[0]) }
      return SlurmCommandResult(
        status: 127, stdout: "",
        stderr: "\(arguments[0]): \(String(cString: strerror(spawnResult)))")
    }
    let (stdout, stderr) = readBoth(outPipe[0], errPipe[0])
    close(outPipe[0])
    close(errPipe[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let low = status & 0x7f
    let code = low == 0 ? (status >> 8) & 0xff : 128 + low
    return SlurmCommandResult(
      status: code, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  /// Reads two pipes to their ends without letting either fill up.
  static func readBoth(_ first: Int32, _ second: Int32) -> ([UInt8], [UInt8]) {
    var outputs: [[UInt8]] = [[], []]
    var fds = [
      pollfd(fd: first, events: Int16(POLLIN), revents: 0),
      pollfd(fd: second, events: Int16(POLLIN), revents: 0),
    ]
    var buffer = [UInt8](repeating: 0, count: 65536)
    while fds.contains(where: { $0.fd >= 0 }) {
      let ready = poll(&fds, nfds_t(fds.count), -1)
      if ready < 0 {
        if errno == EINTR { continue }
        break
      }
      for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
        let n = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 {
          fds[index].fd = -1
        } else {
          outputs[index].append(contentsOf: buffer[0..<n])
        }
      }
    }
    return (outputs[0], outputs[1])
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces, tabs and carriage returns.
  func slurmTrimmed() -> String {
    let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
    return String(drop(while: blank).reversed().drop(while: blank).reversed())
  }
}
