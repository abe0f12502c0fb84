import Foundation
import FairflowTesting
import Testing

/// `fairflow reproduce`: stages declared `deterministic: false`, the reproduction record in
/// `prov export`, and Ctrl-C during the scratch run.
@Suite struct ReproduceRecordCLITests {
  /// `auc` moves by up to 1e-3 between runs (nanoseconds of the clock), `seconds` freely.
  static let pipeline = """
    stages:
      prepare:
        cmd: tr a-z A-Z < input.txt > upper.txt
        deps: [input.txt]
        outs: [upper.txt]
      loose:
        cmd: printf '{"n":3,"auc":0.9%s,"seconds":%s}\\n' "$(date +%N)" "$(date +%s%N)" > loose.json
        deps: [upper.txt]
        outs: [loose.json]
        deterministic: false
        tolerance: {auc: 0.01, seconds: any}
      tight:
        cmd: printf '{"n":3,"auc":0.9%s}\\n' "$(date +%N)" > tight.json
        deps: [upper.txt]
        outs: [tight.json]
        deterministic: false
        tolerance: {auc: "0.0000001%"}
      slow:
        cmd: sleep "$((SLEEP + 0))" && cp upper.txt slow.txt
        deps: [upper.txt]
        outs: [slow.txt]
    """

  func workspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/main.yaml", Self.pipeline)
    try ws.write("input.txt", "raw measurements\n")
    try ws.write(".gitignore", "cache/\n*.json\nupper.txt\nslow.txt\n")
    try ws.initGitRepository()
    return ws
  }

  @Test func declaredToleranceDecidesAndTheRecordIsExported() throws {
    let ws = try workspace("repro-tolerance")
    defer { ws.destroy() }
    let run = try CLIProcess.run(["run", "--stage", "loose", "--stage", "tight"], in: ws.root)
    #expect(run.status == 0, "\(run.stderr)")

    let loose = try CLIProcess.run(["reproduce", "loose.json"], in: ws.root)
    #expect(loose.status == 0, "\(loose.stdout)\n\(loose.stderr)")
    let lines = loose.stdout.split(separator: "\n")
    #expect(
      lines.contains { $0.hasPrefix("loose") && $0.contains("within tolerance: declared") },
      "\(loose.stdout)")
    #expect(loose.stdout.contains(", within tolerance 0.01"), "\(loose.stdout)")
    #expect(loose.stdout.contains("1 of 2 stages identical, 1 within tolerance"))

    let tight = try CLIProcess.run(["reproduce", "--json", "tight.json"], in: ws.root)
    #expect(tight.status == 1, "\(tight.stdout)\n\(tight.stderr)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(tight.stdout.utf8)) as? [String: Any])
    #expect(object["reproduced"] as? Bool == false)
    let rows = try #require(object["stages"] as? [[String: Any]])
    let row = try #require(rows.first { $0["stage"] as? String == "tight" })
    #expect(row["result"] as? String == "differs")
    let outputs = try #require(row["outputs"] as? [[String: Any]])
    let metrics = try #require(outputs.first?["metrics"] as? [[String: Any]])
    #expect(metrics.first?["key"] as? String == "auc")
    #expect(metrics.first?["within"] as? Bool == false)
    #expect(metrics.first?["tolerance"] as? String == "1e-07%")

    // The records carry the declaration; the export carries both reproductions.
    let trace = try CLIProcess.run(["prov", "trace", "loose.json"], in: ws.root)
    #expect(trace.stdout.contains(": within tolerance (reproduction "), "\(trace.stdout)")
    let export = try CLIProcess.run(["prov", "export", "--format", "prov-json"], in: ws.root)
    #expect(export.status == 0, "\(export.stderr)")
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
    let activities = try #require(document["activity"] as? [String: [String: Any]])
    let reproductions = activities.values.filter { $0["prov:type"] as? String == "ff:Reproduction" }
    #expect(
      Set(reproductions.compactMap { $0["ff:result"] as? String })
        == ["within tolerance", "differs"], "\(reproductions)")
    let crate = try TemporaryWorkspace("repro-tolerance-crate")
    defer { crate.destroy() }
    let roCrate = try CLIProcess.run(
      ["prov", "export", "--format", "ro-crate", "--no-files", "--out", crate.root], in: ws.root)
    #expect(roCrate.status == 0, "\(roCrate.stderr)")
    let metadata = try String(contentsOfFile: crate.path("ro-crate-metadata.json"), encoding: .utf8)
    #expect(metadata.components(separatedBy: "\"AssessAction\"").count == 3)
  }

  @Test func toleranceWithoutDeterministicFalseIsAPipelineError() throws {
    let ws = try TemporaryWorkspace("repro-tolerance-error")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/main.yaml",
      """
      stages:
        a:
          cmd: echo 1 > a.json
          outs: [a.json]
          tolerance: {auc: 0.1}
      """)
    let bad = try CLIProcess.run(["validate"], in: ws.root)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("main.yaml:5:5"), "\(bad.stderr)")
    #expect(bad.stderr.contains("needs 'deterministic: false'"), "\(bad.stderr)")
    try ws.write(
      "pipelines/main.yaml",
      """
      stages:
        a:
          cmd: echo 1 > a.json
          outs: [a.json]
          deterministic: false
          tolerance: {auc: -1}
      """)
    let negative = try CLIProcess.run(["validate"], in: ws.root)
    #expect(negative.status == 2)
    #expect(negative.stderr.contains("main.yaml:6:22"), "\(negative.stderr)")
    #expect(negative.stderr.contains("must be a number ≥ 0"), "\(negative.stderr)")
  }

  @Test func interruptStopsTheScratchRunAndRemovesIt() throws {
    let ws = try workspace("repro-interrupt")
    defer { ws.destroy() }
    #expect(try CLIProcess.run(["run", "--stage", "slow"], in: ws.root).status == 0)
    let tmp = try TemporaryWorkspace("repro-interrupt-tmp")
    defer { tmp.destroy() }
    // SLEEP is not recorded: the scratch run of `slow` sleeps a minute.
    let started = Date()
    let (process, _, err) = try CLIProcess.start(
      ["reproduce", "slow.txt"], in: ws.root, environment: ["TMPDIR": tmp.root, "SLEEP": "60"])
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
      let scratch = ReproduceCLITests.scratchDirectories(tmp)
      if let first = scratch.first,
        FileManager.default.fileExists(atPath: tmp.path(first) + "/upper.txt")
      {
        break
      }
      Thread.sleep(forTimeInterval: 0.05)
    }
    Thread.sleep(forTimeInterval: 0.5)
    process.interrupt()  // SIGINT, as Ctrl-C sends
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 130, "\(String(decoding: stderr, as: UTF8.self))")
    #expect(Date().timeIntervalSince(started) < 45, "the sleeping stage was stopped")
    #expect(ReproduceCLITests.scratchDirectories(tmp).isEmpty, "scratch workspace removed")
    let trace = try CLIProcess.run(["prov", "trace", "slow.txt"], in: ws.root)
    #expect(!trace.stdout.contains("reproduced on"), "an interrupted reproduction is not recorded")
  }
}
