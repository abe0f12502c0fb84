public import Foundation

/// Runs helper programs in tests (git, python peers) and returns what they printed.
public enum Shell {
  public struct Output: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var data: Data
  }

  @discardableResult
  public static func run(
    _ arguments: [String], in directory: String, environment: [String: String] = [:],
    input: Data? = nil
  ) throws -> Output {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inPipe = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
    try process.run()
    if let input {
      inPipe.fileHandleForWriting.write(input)
      try inPipe.fileHandleForWriting.close()
    }
    // Read stderr on another thread so neither pipe can fill up and block the child.
    final class Box: @unchecked Sendable { var data = Data() }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    let handle = err.fileHandleForReading
    DispatchQueue.global().async {
      box.data = handle.readDataToEndOfFile()
      done.signal()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    let errData = box.data
    process.waitUntilExit()
    return Output(
      status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self), data: data)
  }

  /// `git` with a fixed identity and no user/system configuration, so tests are hermetic.
  @discardableResult
  public static func git(_ arguments: [String], in directory: String) throws -> Output {
    let output = try run(
      ["git"] + arguments, in: directory,
      environment: [
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.org",
        "GIT_COMMITTER_NAME": "Test Author", "GIT_COMMITTER_EMAIL": "author@example.org",
      ])
    return output
  }
}

extension TemporaryWorkspace {
  /// Makes the workspace a git repository with one commit of everything in it, and the
  /// identity fairflow's records should pick up.
  public func initGitRepository() throws {
    try Shell.git(["init", "-q", "-b", "main"], in: root)
    try Shell.git(["config", "user.name", "Ada Lovelace"], in: root)
    try Shell.git(["config", "user.email", "ada@example.org"], in: root)
    try Shell.git(["add", "-A"], in: root)
    try Shell.git(["commit", "-q", "-m", "initial"], in: root)
  }
}

/// The Python interpreter with the cross-check peers (`scripts/install-deps` makes `.venv`).
public enum PythonPeer {
  public static let interpreter: String? = {
    if let explicit = ProcessInfo.processInfo.environment["FAIRFLOW_PYTHON"] { return explicit }
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent(".venv/bin/python").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return nil
  }()

  /// In CI the peers must be there; elsewhere a missing venv skips peer checks.
  public static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}
