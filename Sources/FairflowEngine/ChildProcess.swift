package import Glibc
internal import Synchronization

/// Starts a child process the one way fairflow starts them all (stages and Slurm commands):
/// `posix_spawn` with stdin from /dev/null, stdout and stderr on given descriptors, no other
/// inherited descriptor, the signals fairflow handles back at their defaults and none blocked,
/// and a process group of its own, so a Ctrl-C on the terminal reaches fairflow only, which then
/// ends the group (or runs `scancel`). Also waiting for it and reading how it ended.
package enum ChildProcess {
  package struct Failure: Error { package var text: String }

  /// How a child ended.
  package enum Termination: Equatable {
    case exited(Int32)
    case signalled(Int32)
  }

  /// Serialises pipe creation and spawning so no child inherits another child's pipe.
  static let spawnLock = Mutex<Void>(())

  /// Starts `arguments` (`arguments[0]` a path, or with `searchPath` looked up in `PATH`).
  /// `environment`: nil inherits fairflow's unchanged; otherwise fairflow's with these set.
  /// `workingDirectory`: nil keeps fairflow's.
  package static func spawn(
    _ arguments: [String], searchPath: Bool = false,
    environment: [(name: String, value: String)]? = nil, workingDirectory: String? = nil,
    stdout: Int32, stderr: Int32
  ) -> Result<pid_t, Failure> {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, stdout, 1)
    posix_spawn_file_actions_adddup2(&actions, stderr, 2)
    _ = addCloseFrom?(&actions, 3)
    if let workingDirectory {
      guard let addChdir else {
        return .failure(Failure(text: "posix_spawn_file_actions_addchdir_np is unavailable"))
      }
      let chdirResult = workingDirectory.withCString { addChdir(&actions, $0) }
      guard chdirResult == 0 else { return .failure(Failure(text: "cannot change directory")) }
    }

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

    var pid: pid_t = 0
    let result = withCStrings(arguments) { argv in
      let start = { (envp: UnsafePointer<UnsafeMutablePointer<CChar>?>?) in
        searchPath
          ? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
          : posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
      }
      guard let environment else { return start(environ) }
      return withCStrings(merged(environment)) { envp in start(envp) }
    }
    guard result == 0 else {
      return .failure(Failure(text: "\(arguments[0]): \(String(cString: strerror(result)))"))
    }
    return .success(pid)
  }

  /// Waits for `pid` to end (retrying on EINTR) and says how it ended.
  package static func wait(_ pid: pid_t) -> Termination {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let low = status & 0x7f
    if low == 0 { return .exited((status >> 8) & 0xff) }
    return .signalled(low)
  }

  /// A pipe whose ends are closed in children (callers hold ``spawnLock``); nil with `errno` set.
  static func makePipe() -> (read: Int32, write: Int32)? {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return nil }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
  }

  /// fairflow's environment as `NAME=value` strings, with `overrides` set.
  private static func merged(_ overrides: [(name: String, value: String)]) -> [String] {
    var environment: [String: String] = [:]
    var index = 0
    while let entry = environ[index] {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      index += 1
    }
    for variable in overrides { environment[variable.name] = variable.value }
    return environment.map { "\($0.key)=\($0.value)" }
  }

  private static func withCStrings<R>(
    _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R
  ) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
  }

  private typealias AddChdir =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
  /// glibc ≥ 2.29 has it, but the Swift module map does not export it.
  private static let addChdir = glibcFunction(
    "posix_spawn_file_actions_addchdir_np", as: AddChdir.self)

  private typealias AddCloseFrom =
    @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
  /// glibc ≥ 2.34: closes every descriptor from N up in the child, so a child never inherits
  /// fairflow's (or its parent's) descriptors, such as the pipes a caller reads fairflow's output
  /// from — an orphaned stage would otherwise keep them open.
  private static let addCloseFrom = glibcFunction(
    "posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)

  /// The C function `name` of the running process, if its C library has it.
  private static func glibcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
    return unsafeBitCast(symbol, to: type)
  }
}
