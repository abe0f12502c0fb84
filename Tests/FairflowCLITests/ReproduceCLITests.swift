import Foundation
import FairflowTesting
import Testing

/// `fairflow reproduce PATH` through the real binary in temporary git workspaces.
@Suite struct ReproduceCLITests {
  static let pipeline = """
    params:
      n: 3
      label: counts
    stages:
      prepare:
        cmd: tr a-z A-Z < input.txt > data/upper.txt
        deps: [input.txt]
        outs: [data/upper.txt]
      count:
        cmd: (wc -c < data/upper.txt; echo ${params.n} ${params.label}) > data/count.txt
        deps: [data/upper.txt]
        outs: [data/count.txt]
      report:
        cmd: cat data/upper.txt data/count.txt > report.txt
        deps: [data/upper.txt, data/count.txt]
        outs: [report.txt]
      clock:
        cmd: printf '{"n":3,"t":%s}\\n' "$(date +%s%N)" > metrics.json
        deps: [data/count.txt]
        outs: [metrics.json]
      bundle:
        cmd: mkdir -p out && cp data/count.txt out/ && date +%s%N > out/stamp.txt
        deps: [data/count.txt]
        outs: [out]
    """

  func workspace(_ name: String, extra: [String: String] = [:]) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/main.yaml", Self.pipeline)
    try ws.write("input.txt", "raw measurements\n")
    try ws.write(".gitignore", "cache/\ndata/\nout/\nreport.txt\nmetrics.json\n")
    for (path, text) in extra { try ws.write(path, text) }
    try ws.initGitRepository()
    return ws
  }

  func git(_ ws: TemporaryWorkspace, _ arguments: String...) throws -> String {
    try Shell.git(arguments, in: ws.root).stdout
  }

  /// The refs other than refs/fairflow/provenance (which records each reproduction).
  func otherRefs(_ ws: TemporaryWorkspace) throws -> String {
    try git(ws, "for-each-ref").split(separator: "\n")
      .filter { !$0.hasSuffix("refs/fairflow/provenance") }.joined(separator: "\n")
  }

  /// Everything `reproduce` must leave alone: refs, HEAD, index, status, lock file, cache.
  func snapshot(_ ws: TemporaryWorkspace) throws -> [String] {
    let cache = FileManager.default.subpaths(atPath: ws.path("cache"))?.sorted() ?? []
    return [
      try otherRefs(ws), try git(ws, "rev-parse", "HEAD"),
      try git(ws, "status", "--porcelain", "--ignored"),
      try String(
        decoding: Data(contentsOf: URL(fileURLWithPath: ws.path("pipelines/main.lock"))),
        as: UTF8.self),
      cache.joined(separator: "\n"),
      try git(ws, "hash-object", "report.txt"),
    ]
  }

  /// The scratch directories in a test's own TMPDIR (tests run in parallel).
  static func scratchDirectories(_ tmp: TemporaryWorkspace) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: tmp.root)) ?? []
    return names.filter { $0.hasPrefix("fairflow-reproduce-") }.sorted()
  }

  @Test func identicalLineageExitsZeroAndLeavesTheWorkspaceAlone() throws {
    let ws = try workspace("repro-same")
    defer { ws.destroy() }
    // Params given with -p are passed to the scratch run again.
    let run = try CLIProcess.run(["run", "-p", "n=5", "-p", "label=sums"], in: ws.root)
    #expect(run.status == 0, "\(run.stderr)")
    let before = try snapshot(ws)
    let tmp = try TemporaryWorkspace("repro-same-tmp")
    defer { tmp.destroy() }
    let reproduce = try CLIProcess.run(
      ["reproduce", "report.txt"], in: ws.root, environment: ["TMPDIR": tmp.root])
    #expect(reproduce.status == 0, "\(reproduce.stdout)\n\(reproduce.stderr)")
    for stage in ["prepare", "count", "report"] {
      #expect(
        reproduce.stdout.split(separator: "\n").contains {
          $0.hasPrefix(stage) && $0.hasSuffix("identical")
        }, "\(stage): \(reproduce.stdout)")
    }
    #expect(reproduce.stdout.contains("report.txt: 3 of 3 stages identical"))
    #expect(try snapshot(ws) == before, "workspace, lock file, cache and refs untouched")
    #expect(Self.scratchDirectories(tmp).isEmpty, "scratch workspace removed")

    let json = try CLIProcess.run(
      ["reproduce", "--json", "--keep", "report.txt"], in: ws.root,
      environment: ["TMPDIR": tmp.root])
    #expect(json.status == 0, "\(json.stderr)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["schema"] as? Int == 1)
    #expect(object["identical"] as? Bool == true)
    let rows = try #require(object["stages"] as? [[String: Any]])
    #expect(rows.map { $0["stage"] as? String } == ["prepare", "count", "report"])
    #expect(rows.allSatisfy { $0["result"] as? String == "identical" })
    let kept = try #require(object["scratch"] as? String)
    #expect(Self.scratchDirectories(tmp) == [String(kept.split(separator: "/").last ?? "")])
    #expect(FileManager.default.fileExists(atPath: kept + "/report.txt"))
    try? FileManager.default.removeItem(atPath: kept)
    #expect(try snapshot(ws) == before)

    let tip = try git(ws, "rev-parse", "refs/fairflow/provenance")
    let unrecorded = try CLIProcess.run(
      ["reproduce", "--no-record", "report.txt"], in: ws.root, environment: ["TMPDIR": tmp.root])
    #expect(unrecorded.status == 0)
    #expect(!unrecorded.stdout.contains("recorded as reproduction"))
    #expect(try git(ws, "rev-parse", "refs/fairflow/provenance") == tip)
    #expect(try snapshot(ws) == before)

    // Each reproduction is recorded: `prov trace` shows them under the artifact, newest last.
    let trace = try CLIProcess.run(["prov", "trace", "report.txt"], in: ws.root)
    let lines = trace.stdout.split(separator: "\n").filter { $0.contains("reproduced on ") }
    #expect(lines.count == 2, "\(trace.stdout)")
    #expect(lines.allSatisfy { $0.contains(": identical (reproduction ") }, "\(trace.stdout)")
  }

  @Test func aStageWritingTheTimeDiffersAndIsNamed() throws {
    let ws = try workspace("repro-clock")
    defer { ws.destroy() }
    #expect(try CLIProcess.run(["run"], in: ws.root).status == 0)
    let before = try snapshot(ws)
    let reproduce = try CLIProcess.run(["reproduce", "metrics.json"], in: ws.root)
    #expect(reproduce.status == 1, "\(reproduce.stdout)\n\(reproduce.stderr)")
    let lines = reproduce.stdout.split(separator: "\n")
    #expect(lines.contains { $0.hasPrefix("clock") && $0.hasSuffix("differs") })
    #expect(lines.contains { $0.hasPrefix("prepare") && $0.hasSuffix("identical") })
    #expect(reproduce.stdout.contains("metrics.json: recorded sha256"))
    #expect(reproduce.stdout.contains(" t: "), "the per-key delta of the metrics file")
    #expect(!reproduce.stdout.contains(" n: "), "unchanged keys are not listed")

    let json = try CLIProcess.run(["reproduce", "--json", "metrics.json"], in: ws.root)
    #expect(json.status == 1)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let rows = try #require(object["stages"] as? [[String: Any]])
    let clock = try #require(rows.first { $0["stage"] as? String == "clock" })
    #expect(clock["result"] as? String == "differs")
    let outputs = try #require(clock["outputs"] as? [[String: Any]])
    #expect(outputs.first?["path"] as? String == "metrics.json")
    let metrics = try #require(outputs.first?["metrics"] as? [[String: Any]])
    #expect(metrics.map { $0["key"] as? String } == ["t"])

    // A directory output names the files inside it that differ.
    let directory = try CLIProcess.run(["reproduce", "out"], in: ws.root)
    #expect(directory.status == 1, "\(directory.stdout)\n\(directory.stderr)")
    #expect(directory.stdout.contains("files: stamp.txt"), "\(directory.stdout)")
    #expect(try snapshot(ws) == before)
  }

  @Test func refusalsExitTwoBeforeRunningAnything() throws {
    let ws = try workspace("repro-dirty")
    defer { ws.destroy() }
    try ws.write("input.txt", "edited but not committed\n")
    #expect(try CLIProcess.run(["run"], in: ws.root).status == 0)
    let tmp = try TemporaryWorkspace("repro-dirty-tmp")
    defer { tmp.destroy() }
    let dirty = try CLIProcess.run(
      ["reproduce", "report.txt"], in: ws.root, environment: ["TMPDIR": tmp.root])
    #expect(dirty.status == 2, "\(dirty.stdout)\n\(dirty.stderr)")
    #expect(dirty.stderr.contains("stage 'prepare'"), "\(dirty.stderr)")
    #expect(dirty.stderr.contains("uncommitted changes"))
    #expect(Self.scratchDirectories(tmp).isEmpty, "nothing was materialised")

    // An untracked input that is not in the object store cannot be placed.
    try Shell.git(["checkout", "-q", "input.txt"], in: ws.root)
    try ws.write("extra.txt", "untracked\n")
    try ws.write(
      "pipelines/main.yaml",
      Self.pipeline + """

          side:
            cmd: tr a-z A-Z < extra.txt > data/side.txt
            deps: [extra.txt]
            outs: [data/side.txt]
        """)
    try Shell.git(["add", "pipelines/main.yaml"], in: ws.root)
    try Shell.git(["commit", "-q", "-m", "side"], in: ws.root)
    #expect(try CLIProcess.run(["run", "--force"], in: ws.root).status == 0)
    let missing = try CLIProcess.run(["reproduce", "data/side.txt"], in: ws.root)
    #expect(missing.status == 2, "\(missing.stdout)\n\(missing.stderr)")
    #expect(missing.stderr.contains("input extra.txt of stage 'side'"), "\(missing.stderr)")

    let stray = try CLIProcess.run(["reproduce", "input.txt"], in: ws.root)
    #expect(stray.status == 2)
    #expect(stray.stderr.contains("input.txt was not produced by a recorded fairflow stage"))
    let absent = try CLIProcess.run(["reproduce", "nope.txt"], in: ws.root)
    #expect(absent.status == 2)
    #expect(absent.stderr.contains("no such file: nope.txt"))
  }

  static let builtins = """
    stages:
      generate:
        uses: generate
        outs: [data/raw]
        with: {kind: hbb-jets, count: 400, seed: 7, output: data/raw/jets.h5}
      convert:
        uses: convert
        deps: [data/raw]
        outs: [data/features]
        with:
          format: raw-hdf5
          inputs: [data/raw]
          collections:
            tracks: {branches: [track_ptrel, track_erel], max: 4, sort_by: track_ptrel}
          labels: [fj_isQCD, fj_isH]
          split: {fractions: {train: 0.8, test: 0.2}, seed: 3}
          output: data/features
      summary:
        cmd: ./tools/summarise.sh data/features > summary.txt
        deps: [data/features, tools/summarise.sh]
        outs: [summary.txt]
    """

  /// Built-in stages with directory outputs, a workspace below the repository's top, an executable
  /// script from the tree, a path given from a subdirectory; then a lineage of two commits.
  @Test func builtinStagesInASubdirectoryWorkspaceThenMixedCommitsAreRefused() throws {
    let repo = try TemporaryWorkspace("repro-builtin")
    defer { repo.destroy() }
    try repo.write("proj/pipelines/jets.yaml", Self.builtins)
    try repo.write("proj/tools/summarise.sh", "#!/bin/sh\nls \"$1\"\n")
    try repo.write("proj/.gitignore", "cache/\ndata/\nsummary.txt\n")
    #expect(chmod(repo.path("proj/tools/summarise.sh"), 0o755) == 0)
    try repo.initGitRepository()
    let ws = repo.path("proj")
    let run = try CLIProcess.run(["run"], in: ws)
    #expect(run.status == 0, "\(run.stderr)")
    let refs = try otherRefs(repo)

    let same = try CLIProcess.run(["reproduce", "../summary.txt"], in: ws + "/data")
    #expect(same.status == 0, "\(same.stdout)\n\(same.stderr)")
    #expect(same.stdout.contains("summary.txt: 3 of 3 stages identical"))
    let features = try CLIProcess.run(["reproduce", "data/features", "jets"], in: ws)
    #expect(features.status == 0, "\(features.stdout)\n\(features.stderr)")
    #expect(features.stdout.contains("data/features: 2 of 2 stages identical"))
    let wrong = try CLIProcess.run(["reproduce", "data/features", "pipelines/none.yaml"], in: ws)
    #expect(wrong.status == 2)
    #expect(try otherRefs(repo) == refs)

    // A second commit re-runs only `summary`: its lineage now spans two code commits.
    try repo.write("proj/tools/summarise.sh", "#!/bin/sh\nls -1 \"$1\" | sort\n")
    #expect(chmod(repo.path("proj/tools/summarise.sh"), 0o755) == 0)
    try Shell.git(["commit", "-q", "-am", "sorted"], in: repo.root)
    let second = try CLIProcess.run(["run"], in: ws)
    #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
    let mixed = try CLIProcess.run(["reproduce", "summary.txt"], in: ws)
    #expect(mixed.status == 2, "\(mixed.stdout)\n\(mixed.stderr)")
    #expect(mixed.stderr.contains("mixes code commits"), "\(mixed.stderr)")
    #expect(mixed.stderr.contains("stage 'generate'"))
  }

  /// Outputs restored from the cache at a later commit reproduce their original producer's run.
  @Test func restoredOutputsReproduceTheirOriginalRun() throws {
    let ws = try workspace("repro-restored")
    defer { ws.destroy() }
    let first = try git(ws, "rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(try CLIProcess.run(["run", "--stage", "report"], in: ws.root).status == 0)
    try ws.write("input.txt", "other measurements\n")
    try Shell.git(["commit", "-q", "-am", "other"], in: ws.root)
    #expect(try CLIProcess.run(["run", "--stage", "report"], in: ws.root).status == 0)
    try ws.write("input.txt", "raw measurements\n")
    try Shell.git(["commit", "-q", "-am", "back"], in: ws.root)
    let restore = try CLIProcess.run(["run", "--stage", "report"], in: ws.root)
    #expect(restore.stdout.contains("3 restored"), "\(restore.stdout)")

    let reproduce = try CLIProcess.run(["reproduce", "--json", "report.txt"], in: ws.root)
    #expect(reproduce.status == 0, "\(reproduce.stdout)\n\(reproduce.stderr)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(reproduce.stdout.utf8)) as? [String: Any])
    #expect(object["commit"] as? String == first, "the original run's commit")
    #expect(object["identical"] as? Bool == true)
  }
}
