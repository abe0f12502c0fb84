import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowTesting
import Foundation
import Synchronization
import Testing

/// A scripted Slurm: `sbatch` runs the batch script with `/bin/sh` right away (appending to the
/// `--output` file, as slurmd would) and remembers how it ended; `squeue` lists a job for a set
/// number of polls; `sacct` is disabled (as without slurmdbd) so the executor falls back to
/// `sacct --completion`. Every command is recorded.
final class ScriptedSlurm: SlurmCommandRunner, @unchecked Sendable {
  struct Job {
    var id: String
    var name: String
    var state: String
    var exitCode: Int32
    var signal: Int32 = 0
    var pollsLeft: Int
  }

  private let lock = Mutex<(commands: [[String]], jobs: [String: Job], next: Int)>(([], [:], 100))
  /// Polls a job stays in `squeue` after submission.
  let pollsInQueue: Int
  /// Overrides the state a stage's job ends in (by job name), e.g. TIMEOUT.
  let forcedStates: [String: String]

  init(pollsInQueue: Int = 1, forcedStates: [String: String] = [:]) {
    self.pollsInQueue = pollsInQueue
    self.forcedStates = forcedStates
  }

  var commands: [[String]] { lock.withLock { $0.commands } }
  func count(_ program: String) -> Int { commands.filter { $0.first == program }.count }
  var jobNames: [String] { lock.withLock { $0.jobs.values.sorted { $0.id < $1.id }.map(\.name) } }

  func run(_ arguments: [String]) async -> SlurmCommandResult {
    lock.withLock { $0.commands.append(arguments) }
    switch arguments.first {
    case "sbatch": return submit(Array(arguments.dropFirst()))
    case "squeue":
      let ids = arguments[arguments.firstIndex(of: "-j")! + 1].split(separator: ",").map(
        String.init)
      let lines = lock.withLock { state -> [String] in
        var lines: [String] = []
        for id in ids {
          guard var job = state.jobs[id], job.pollsLeft > 0 else { continue }
          job.pollsLeft -= 1
          state.jobs[id] = job
          lines.append("\(id)|RUNNING|node7|None")
        }
        return lines
      }
      return SlurmCommandResult(status: 0, stdout: lines.map { $0 + "\n" }.joined())
    case "sacct" where arguments.contains("-X"):
      return SlurmCommandResult(
        status: 1, stdout: "", stderr: "Slurm accounting storage is disabled\n")
    case "sacct":
      let ids = arguments[arguments.firstIndex(of: "-j")! + 1].split(separator: ",").map(
        String.init)
      let lines = lock.withLock { state in
        ids.compactMap { state.jobs[$0] }.map {
          "\($0.id)|\($0.state)|\($0.exitCode):\($0.signal)|node7\n"
        }
      }
      return SlurmCommandResult(status: 0, stdout: lines.joined())
    case "scancel":
      lock.withLock { state in
        for id in arguments.dropFirst() {
          state.jobs[id]?.state = "CANCELLED by 0"
          state.jobs[id]?.pollsLeft = 0
        }
      }
      return SlurmCommandResult(status: 0, stdout: "")
    default:
      return SlurmCommandResult(status: 127, stdout: "", stderr: "\(arguments[0]): not scripted")
    }
  }

  private func submit(_ arguments: [String]) -> SlurmCommandResult {
    func option(_ name: String) -> String? {
      arguments.first { $0.hasPrefix("--\(name)=") }.map { String($0.dropFirst(name.count + 3)) }
    }
    let script = arguments.last!
    let output = option("output")!
    let name = option("job-name")!
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "exec /bin/sh \"$0\" >> \"$1\" 2>&1", script, output]
    process.currentDirectoryURL = URL(fileURLWithPath: option("chdir")!)
    try? process.run()
    process.waitUntilExit()
    let status = process.terminationStatus
    let id = lock.withLock { state -> String in
      let id = String(state.next)
      state.next += 1
      let forced = forcedStates[name]
      state.jobs[id] = Job(
        id: id, name: name, state: forced ?? (status == 0 ? "COMPLETED" : "FAILED"),
        exitCode: forced == nil ? status : 0, signal: forced == nil ? 0 : 9,
        pollsLeft: pollsInQueue)
      return id
    }
    return SlurmCommandResult(status: 0, stdout: "\(id);cluster\n")
  }
}

/// A runner whose jobs stay queued until cancelled.
final class StuckSlurm: SlurmCommandRunner, @unchecked Sendable {
  private let lock = Mutex<(commands: [[String]], cancelled: Set<String>)>(([], []))
  var commands: [[String]] { lock.withLock { $0.commands } }

  func run(_ arguments: [String]) async -> SlurmCommandResult {
    lock.withLock { $0.commands.append(arguments) }
    switch arguments.first {
    case "sbatch": return SlurmCommandResult(status: 0, stdout: "77\n")
    case "scancel":
      lock.withLock { $0.cancelled.formUnion(arguments.dropFirst()) }
      return SlurmCommandResult(status: 0, stdout: "")
    case "squeue":
      let cancelled = lock.withLock { $0.cancelled.contains("77") }
      return SlurmCommandResult(status: 0, stdout: cancelled ? "" : "77|PENDING||Priority\n")
    case "sacct":
      return SlurmCommandResult(status: 0, stdout: "77|CANCELLED by 0|0:0|None assigned\n")
    default: return SlurmCommandResult(status: 1, stdout: "")
    }
  }
}
