public import FairflowCore
internal import Synchronization
internal import Foundation

/// Records jobs instead of running them and returns scripted outcomes; on success it writes the
/// declared outputs itself (`outputs` maps a stage name to files and contents).
public final class FakeExecutor: Executor, @unchecked Sendable {
  private let log = Mutex<[Job]>([])
  public let outcomes: [String: StageOutcome]
  public let outputs: [String: [(path: String, content: String)]]

  public init(
    outcomes: [String: StageOutcome] = [:],
    outputs: [String: [(path: String, content: String)]] = [:]
  ) {
    self.outcomes = outcomes
    self.outputs = outputs
  }

  public var jobs: [Job] { log.withLock { $0 } }
  public var stagesRun: [String] { jobs.map(\.stage) }

  public func run(_ job: Job) async -> StageOutcome {
    log.withLock { $0.append(job) }
    let outcome = outcomes[job.stage] ?? .exited(0)
    if outcome.succeeded {
      for output in outputs[job.stage] ?? [] {
        let url = URL(fileURLWithPath: job.workingDirectory + "/" + output.path)
        try? FileManager.default.createDirectory(
          at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(output.content.utf8).write(to: url)
      }
    }
    return outcome
  }

  public func terminateAll() async {}
}
