import ArgumentParser
@testable import FairflowCLI
import Foundation
import Testing

/// Guards the CLI contract: every command's `--help` and the whole tree as JSON
/// (`--experimental-dump-help`) must match the committed snapshots. To accept an intended
/// change, run with FAIRFLOW_RECORD_SNAPSHOTS=1 and review the diff.
@Suite struct HelpSnapshotTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Snapshots")

  static let commands: [(name: String, type: any ParsableCommand.Type)] = [
    ("fairflow", Fairflow.self), ("run", Run.self), ("status", Status.self), ("dag", Dag.self),
    ("validate", Validate.self), ("cache", Cache.self), ("cache-verify", Cache.Verify.self),
    ("cache-gc", Cache.GC.self), ("cache-hash", Cache.Hash.self), ("prov", Prov.self),
    ("prov-log", Prov.Log.self), ("prov-show", Prov.Show.self), ("prov-trace", Prov.Trace.self),
    ("prov-verify", Prov.Verify.self), ("prov-export", Prov.Export.self),
    ("inspect", Inspect.self), ("reproduce", Reproduce.self),
  ]

  func check(_ text: String, against name: String) throws {
    let file = Self.directory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["FAIRFLOW_RECORD_SNAPSHOTS"] == "1" {
      try Data(text.utf8).write(to: file)
      return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
      Issue.record("missing snapshot \(name); actual:\n\(text)")
      return
    }
    #expect(text == expected, "snapshot \(name) differs")
  }

  @Test(arguments: 0..<commands.count)
  func helpText(_ index: Int) throws {
    let (name, type) = Self.commands[index]
    try check(Fairflow.helpMessage(for: type, columns: 100), against: "\(name).help.txt")
  }

  @Test func parsesRunOptions() throws {
    let command = try Fairflow.parseAsRoot([
      "run", "demo", "-j", "3", "--stage", "a", "--stage", "b", "-p", "x=1", "--force",
      "--keep-going", "--no-wait",
    ])
    let run = try #require(command as? Run)
    #expect(run.pipelineOptions.pipeline == "demo")
    #expect(run.jobs == 3)
    #expect(run.stages == ["a", "b"])
    #expect(run.pipelineOptions.params == ["x=1"])
    #expect(run.force && run.keepGoing && run.noWait && !run.dryRun)
  }

  @Test func dumpHelpMatchesSnapshot() throws {
    let result = try CLIProcess.run(
      ["--experimental-dump-help"], in: FileManager.default.temporaryDirectory.path)
    #expect(result.status == 0)
    try check(result.stdout, against: "dump-help.json")
  }
}
