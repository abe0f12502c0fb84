import FairflowCore
import FairflowEngine
import FairflowTesting
import Foundation
import Synchronization
import Testing

/// How children start, end and are captured, through both users of the one spawn helper: the
/// local executor (stages) and the Slurm command runner.
@Suite struct ChildProcessTests {
  func job(_ script: String, in ws: TemporaryWorkspace, env: [(String, String)] = []) -> Job {
    Job(
      stage: "s", arguments: ["/bin/sh", "-c", script],
      environment: env.map { (name: $0.0, value: $0.1) }, workingDirectory: ws.root,
      logPath: ws.path("log.txt"))
  }

  @Test func stageGetsItsEnvironmentDirectoryAndLogAndExitCode() async throws {
    let ws = try TemporaryWorkspace("child")
    defer { ws.destroy() }
    let outcome = await LocalExecutor().run(
      job(
        "echo $FAIRFLOW_CHILD_TEST; echo err >&2; pwd; exit 7", in: ws,
        env: [("FAIRFLOW_CHILD_TEST", "one"), ("FAIRFLOW_CHILD_TEST", "two")]))
    #expect(outcome == .exited(7))
    let root = URL(fileURLWithPath: ws.root).resolvingSymlinksInPath().path
    #expect(try ws.read("log.txt") == "two\nerr\n\(root)\n")
  }

  @Test func stageRunsInItsOwnProcessGroupWithDefaultSignalsUnblocked() async throws {
    let ws = try TemporaryWorkspace("child")
    defer { ws.destroy() }
    let script = """
      read -r pid comm state ppid pgrp rest < /proc/$$/stat; echo "$pid $pgrp"
      while read -r key value; do
        case $key in SigBlk:|SigIgn:) echo "$key $value";; esac
      done < /proc/$$/status
      """
    #expect(await LocalExecutor().run(job(script, in: ws)) == .exited(0))
    let lines = ws.lines("log.txt")
    let ids = lines[0].split(separator: " ")
    #expect(ids.count == 2 && ids[0] == ids[1], "pid and process group: \(lines[0])")
    let masks = Dictionary(
      uniqueKeysWithValues: lines.dropFirst().map {
        let parts = $0.split(separator: " ")
        return (String(parts[0]), UInt64(parts[1], radix: 16) ?? .max)
      })
    #expect(masks["SigBlk:"] == 0)
    let ignored = masks["SigIgn:"] ?? .max
    for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] {
      #expect(ignored & (1 << UInt64(signal - 1)) == 0, "signal \(signal) is ignored")
    }
  }

  @Test func streamedLinesAlsoReachTheLog() async throws {
    let ws = try TemporaryWorkspace("child")
    defer { ws.destroy() }
    let lines = Mutex<[String]>([])
    let executor = LocalExecutor { stage, line in
      lines.withLock { $0.append("\(stage): \(line)") }
    }
    #expect(await executor.run(job("echo a; echo b >&2; printf c", in: ws)) == .exited(0))
    #expect(lines.withLock { $0 } == ["s: a", "s: b", "s: c"])
    #expect(try ws.read("log.txt") == "a\nb\nc")
  }

  @Test func signalsAndStartFailuresAreOutcomes() async throws {
    let ws = try TemporaryWorkspace("child")
    defer { ws.destroy() }
    #expect(await LocalExecutor().run(job("kill -KILL $$", in: ws)) == .signalled(SIGKILL))
    var missing = job("", in: ws)
    missing.arguments = ["/nonexistent/fairflow-program"]
    #expect(
      await LocalExecutor().run(missing)
        == .couldNotStart("/nonexistent/fairflow-program: No such file or directory"))
  }

  @Test func slurmCommandsCaptureBothStreamsAndTheStatus() async {
    let runner = ProcessSlurmCommandRunner()
    let result = await runner.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
    #expect(result == SlurmCommandResult(status: 3, stdout: "out\n", stderr: "err\n"))
    #expect(await runner.run(["sh", "-c", "kill -TERM $$"]).status == 128 + SIGTERM)
    #expect(
      await runner.run(["fairflow-no-such-command", "x"])
        == SlurmCommandResult(
          status: 127, stdout: "", stderr: "fairflow-no-such-command: No such file or directory"))
  }
}
