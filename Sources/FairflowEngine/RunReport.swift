public import FairflowBase
internal import FairflowCore
internal import FairflowStore

/// What happened to one stage in a run.
public enum StageResult: Sendable, Equatable {
  case upToDate
  /// Outputs linked back from the store; `run` is the run that originally produced them.
  case restored(run: String, fromRunCache: Bool)
  case executed(seconds: Double)
  case failed(String)
  /// Not run because an upstream stage failed.
  case skipped
  /// Not started (stopped after a failure or interrupted).
  case notStarted
  case interrupted

  public var isFailure: Bool {
    switch self {
    case .failed, .interrupted: return true
    default: return false
    }
  }
}

/// A failed stage, with everything a user needs to act: name, command, outcome, log.
public struct StageFailure: Sendable, Equatable {
  public var stage: String
  public var command: String
  public var reason: String
  public var log: String?
  /// The last non-empty lines of the log (a built-in stage's error message is there).
  public var logTail: [String] = []

  public var message: String {
    var text = "stage '\(stage)' failed: \(reason)\n  command: \(command)"
    if let log { text += "\n  log: \(log)" }
    if !logTail.isEmpty {
      text += "\n  last lines of the log:" + logTail.map { "\n    " + $0 }.joined()
    }
    return text
  }

  /// Up to `lines` last non-empty lines of the file at `path` (its last 4 KiB), each cut at 300
  /// characters; [] when it cannot be read.
  public static func tail(of path: String, lines: Int = 5) -> [String] {
    guard let bytes = try? FileIO.read(path) else { return [] }
    let text = String(decoding: bytes.suffix(4096), as: UTF8.self)
    return text.split(whereSeparator: \.isNewline).map { String($0.prefix(300)) }
      .filter { !$0.allSatisfy(\.isWhitespace) }.suffix(lines).map { $0 }
  }
}

/// The outcome of `fairflow run`.
public struct RunSummary: Sendable {
  public var run: String
  public var results: [(stage: String, result: StageResult)]
  public var failures: [StageFailure]
  public var interrupted: Bool
  /// Set when the stages ran but their provenance could not be committed (the run fails).
  public var recordingError: String?

  public init(
    run: String, results: [(stage: String, result: StageResult)], failures: [StageFailure],
    interrupted: Bool
  ) {
    self.run = run
    self.results = results
    self.failures = failures
    self.interrupted = interrupted
  }

  public func count(_ predicate: (StageResult) -> Bool) -> Int {
    results.filter { predicate($0.result) }.count
  }

  public var exitStatus: ExitStatus {
    if interrupted { return .interrupted }
    return failures.isEmpty && recordingError == nil ? .success : .failure
  }
}

/// Receives progress events from a run (the CLI renders them; tests record them).
public protocol RunReporter: Sendable {
  func note(_ text: String)
  func stageStarted(_ stage: String, log: String)
  func stageFinished(_ stage: String, result: StageResult, done: Int, total: Int)
}

/// Discards everything.
public struct SilentReporter: RunReporter {
  public init() {}
  public func note(_ text: String) {}
  public func stageStarted(_ stage: String, log: String) {}
  public func stageFinished(_ stage: String, result: StageResult, done: Int, total: Int) {}
}
