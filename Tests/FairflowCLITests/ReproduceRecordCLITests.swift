import Foundation
import FairflowTesting
import Testing

/// `fairflow reproduce`: stages declared `deterministic: false`, the reproduction record in
/// `prov export`, and Ctrl-C during the scratch run.
@Suite struct ReproduceRecordCLITests {
  /// `auc` moves by less than 1e-4 between runs (nanoseconds of the clock), `seconds` freely.
  static let pipeline = """
    stages:
      prepare:
        cmd: tr a-z A-Z < input.txt > upper.txt
        deps: [input.txt]
        outs: [upper.txt]
      loose:
        cmd: printf '{"n":3,"auc":0.9000%s,"seconds":%s}\\n' "$(date +%N)" "$(date +%s%N)" > loose.json
        deps: [upper.txt]
        outs: [loose.json]
        deterministic: false
        tolerance: {auc: 0.01, seconds: any}
      tight:
        cmd: printf '{"n":3,"auc":0.9000%s}\\n' "$(date +%N)" > tight.json
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

  /// `git` reading `input` on standard input (for `hash-object --stdin` and `mktree`).
  static func git(_ arguments: [String], in ws: TemporaryWorkspace, input: String? = nil) throws
    -> String
  {
    let out = try Shell.run(
      ["git"] + arguments, in: ws.root,
      environment: [
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_AUTHOR_NAME": "Mallory", "GIT_AUTHOR_EMAIL": "m@example.org",
        "GIT_COMMITTER_NAME": "Mallory", "GIT_COMMITTER_EMAIL": "m@example.org",
      ], input: input.map { Data($0.utf8) })
    #expect(out.status == 0, "git \(arguments): \(out.stderr)")
    return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The tree `treeish` with entry `name` pointing at `id` instead.
  static func replacing(
    _ treeish: String, _ name: String, with id: String, in ws: TemporaryWorkspace
  )
    throws -> String
  {
    let lines = try git(["ls-tree", treeish], in: ws).split(separator: "\n").map { line in
      line.hasSuffix("\t" + name)
        ? line.replacingOccurrences(
          of: #"[0-9a-f]{40}"#, with: id, options: .regularExpression) : String(line)
    }
    return try git(["mktree"], in: ws, input: lines.joined(separator: "\n") + "\n")
  }

  /// A record rewritten on the ref (a forged param) and a cached output overwritten: both
  /// make `reproduce` say `differs`, naming the stage and what is wrong.
  @Test func aTamperedRecordOrCacheObjectDiffersAndIsNamed() throws {
    let ws = try TemporaryWorkspace("repro-tamper")
    defer { ws.destroy() }
    try ws.write("pipelines/main.yaml", ReproduceCLITests.pipeline)
    try ws.write("input.txt", "raw measurements\n")
    try ws.write(".gitignore", "cache/\ndata/\nout/\nreport.txt\nmetrics.json\n")
    try ws.initGitRepository()
    #expect(try CLIProcess.run(["run", "--stage", "report"], in: ws.root).status == 0)
    #expect(try CLIProcess.run(["reproduce", "report.txt"], in: ws.root).status == 0)

    // Forge the recorded params of `count` (n: 3 → 4) with plain git, as an attacker could.
    let ref = "refs/fairflow/provenance"
    let run = try Self.git(["ls-tree", "--name-only", "\(ref):runs"], in: ws)
    let path = "\(ref):runs/\(run)/count.json"
    let original = try Self.git(["show", path], in: ws)
    #expect(original.contains(#""n": 3"#))
    let forged = try Self.git(
      ["hash-object", "-w", "--stdin"], in: ws,
      input: original.replacingOccurrences(of: #""n": 3"#, with: #""n": 4"#) + "\n")
    let runTree = try Self.replacing("\(ref):runs/\(run)", "count.json", with: forged, in: ws)
    let runs = try Self.replacing("\(ref):runs", run, with: runTree, in: ws)
    let root = try Self.replacing("\(ref)^{tree}", "runs", with: runs, in: ws)
    let commit = try Self.git(["commit-tree", root, "-p", ref, "-m", "forged"], in: ws)
    _ = try Self.git(["update-ref", ref, commit], in: ws)

    let tampered = try CLIProcess.run(["reproduce", "report.txt"], in: ws.root)
    #expect(tampered.status == 1, "\(tampered.stdout)\n\(tampered.stderr)")
    let lines = tampered.stdout.split(separator: "\n")
    #expect(
      lines.contains { $0.hasPrefix("count") && $0.hasSuffix("differs") }, "\(tampered.stdout)")
    #expect(lines.contains { $0.hasPrefix("prepare") && $0.hasSuffix("identical") })
    #expect(tampered.stdout.contains("data/count.txt: recorded sha256"))
    _ = try Self.git(["update-ref", ref, "\(ref)^"], in: ws)

    // Overwrite the cached copy of data/upper.txt (objects are read-only; an attacker is not).
    let digest = try Self.git(["show", "\(ref):runs/\(run)/prepare.json"], in: ws)
      .components(separatedBy: #""sha256": ""#)[2].prefix(64)
    let object = ws.path("cache/objects/\(digest.prefix(2))/\(digest.dropFirst(2))")
    #expect(chmod(object, 0o644) == 0)
    try "forged\n".write(toFile: object, atomically: false, encoding: .utf8)
    let corrupt = try CLIProcess.run(["reproduce", "--json", "report.txt"], in: ws.root)
    #expect(corrupt.status == 1, "\(corrupt.stdout)\n\(corrupt.stderr)")
    let object2 = try #require(
      try JSONSerialization.jsonObject(with: Data(corrupt.stdout.utf8)) as? [String: Any])
    let rows = try #require(object2["stages"] as? [[String: Any]])
    let prepare = try #require(rows.first { $0["stage"] as? String == "prepare" })
    #expect(prepare["result"] as? String == "differs")
    #expect((prepare["reason"] as? String)?.contains("cache's copy of data/upper.txt") == true)
  }

  /// Lists, maps and strings that read as numbers travel to the scratch run as `-p NAME:=JSON`.
  @Test func nonScalarParamsAreReproducedExactly() throws {
    let ws = try TemporaryWorkspace("repro-params")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/main.yaml",
      """
      params:
        sizes: [1, 2]
        tag: "007"
        model: {lr: 0.1, name: small net}
      stages:
        write:
          cmd: echo ${params.sizes} ${params.tag} ${params.model} > out.txt
          outs: [out.txt]
      """)
    try ws.write(".gitignore", "cache/\nout.txt\n")
    try ws.initGitRepository()
    let run = try CLIProcess.run(
      ["run", "-p", "sizes:=[3,4.5]", "-p", #"tag:="008""#, "-p", "model.name:=\"big net\""],
      in: ws.root)
    #expect(run.status == 0, "\(run.stderr)")
    let written = try String(contentsOfFile: ws.path("out.txt"), encoding: .utf8)
    #expect(written == "3 4.5 008 {lr:0.1,name:big net}\n", "the shell drops the JSON quotes")
    let reproduce = try CLIProcess.run(["reproduce", "out.txt"], in: ws.root)
    #expect(reproduce.status == 0, "\(reproduce.stdout)\n\(reproduce.stderr)")
    #expect(!reproduce.stderr.contains("cannot be passed"), "\(reproduce.stderr)")
    let bad = try CLIProcess.run(["run", "-p", "sizes:=[3,"], in: ws.root)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("invalid JSON in -p sizes:=[3,"), "\(bad.stderr)")
  }
}
