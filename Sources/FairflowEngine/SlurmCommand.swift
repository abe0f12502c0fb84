internal import Dispatch
internal import Glibc
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
    var outPipe: (read: Int32, write: Int32) = (-1, -1)
    var errPipe: (read: Int32, write: Int32) = (-1, -1)
    let spawned: Result<pid_t, ChildProcess.Failure> = ChildProcess.spawnLock.withLock { _ in
      guard let out = ChildProcess.makePipe() else { return .failure(pipeFailure(arguments)) }
      outPipe = out
      guard let err = ChildProcess.makePipe() else {
        let failure = pipeFailure(arguments)
        close(outPipe.read)
        close(outPipe.write)
        outPipe = (-1, -1)
        return .failure(failure)
      }
      errPipe = err
      let result = ChildProcess.spawn(
        arguments, searchPath: true, stdout: outPipe.write, stderr: errPipe.write)
      close(outPipe.write)
      close(errPipe.write)
      return result
    }
    let pid: pid_t
    switch spawned {
    case .success(let started): pid = started
    case .failure(let failure):
      if outPipe.read >= 0 { close(outPipe.read) }
      if errPipe.read >= 0 { close(errPipe.read) }
      return SlurmCommandResult(status: 127, stdout: "", stderr: failure.text)
    }
    let (stdout, stderr) = readBoth(outPipe.read, errPipe.read)
    close(outPipe.read)
    close(errPipe.read)
    let code: Int32
    switch ChildProcess.wait(pid) {
    case .exited(let status): code = status
    case .signalled(let signal): code = 128 + signal
    }
    return SlurmCommandResult(
      status: code, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  /// A pipe that could not be made, said as a failure to start `arguments[0]` (reads `errno`).
  static func pipeFailure(_ arguments: [String]) -> ChildProcess.Failure {
    ChildProcess.Failure(text: "\(arguments[0]): \(String(cString: strerror(errno)))")
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
