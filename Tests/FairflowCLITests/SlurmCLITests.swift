import FairflowTesting
import Foundation
import Testing

/// The one-node Slurm cluster of `scripts/slurm-up` (real slurmctld, slurmd and munged).
///
/// `scripts/test` starts it before the tests and stops it afterwards, exporting `SLURM_CONF`.
/// Run alone (`swift test --filter SlurmCLITests`), the suite uses `$SLURM_CONF` or the default
/// `/tmp/fairflow-slurm/slurm.conf`, and when neither answers it runs `scripts/slurm-up` itself
/// (unless `FAIRFLOW_SLURM_AUTOSTART=0`) and leaves the cluster running (`scripts/slurm-down`).
/// When Slurm cannot run, each test says why: a failure with `CI=true`, a note otherwise.
enum SlurmCluster {
  static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  /// `SLURM_CONF` of a cluster whose node answers, or why there is none.
  static let state: Result<String, Failure> = {
    let environment = ProcessInfo.processInfo.environment
    let conf = environment["SLURM_CONF"] ?? "/tmp/fairflow-slurm/slurm.conf"
    if nodeAnswers(conf) { return .success(conf) }
    var why =
      environment["FAIRFLOW_SLURM_UNAVAILABLE"]
      ?? "no Slurm node answers `sinfo` with SLURM_CONF=\(conf)"
    if environment["FAIRFLOW_SLURM_AUTOSTART"] != "0" {
      let up = command([repositoryRoot + "/scripts/slurm-up"], conf: nil)
      let exported = up.stdout.split(separator: "\n").last { $0.hasPrefix("export SLURM_CONF=") }
      if up.status == 0, let exported {
        let started = String(exported.dropFirst("export SLURM_CONF=".count))
        if nodeAnswers(started) { return .success(started) }
      }
      why +=
        "; scripts/slurm-up: \(up.stderr.split(separator: "\n").suffix(3).joined(separator: " "))"
    }
    return .failure(Failure(text: why))
  }()

  struct Failure: Error { var text: String }

  static func nodeAnswers(_ conf: String) -> Bool {
    guard FileManager.default.fileExists(atPath: conf) else { return false }
    let info = command(["sinfo", "-h", "-o", "%T"], conf: conf)
    return info.status == 0
      && info.stdout.split(separator: "\n").contains {
        ["idle", "mixed", "allocated"].contains($0.trimmingCharacters(in: .whitespaces))
      }
  }

  /// The cluster's `SLURM_CONF`, or nil after recording why the test cannot run.
  static func require(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    switch state {
    case .success(let conf): return conf
    case .failure(let failure):
      if ProcessInfo.processInfo.environment["CI"] == "true" {
        Issue.record(
          "Slurm is required in CI: \(failure.text)", sourceLocation: sourceLocation)
      } else {
        print("note: skipping a Slurm test: \(failure.text)")
      }
      return nil
    }
  }

  /// Runs a Slurm client command (or a script) and captures its output.
  static func command(_ arguments: [String], conf: String?) -> CLIProcess.Output {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = (environment["PATH"] ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin"
    if let conf { environment["SLURM_CONF"] = conf }
    process.environment = environment
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch {
      return CLIProcess.Output(status: 127, stdout: "", stderr: "\(error)")
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIProcess.Output(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  /// Jobs (id, name, state) that ran in `directory`, from `sacct` (accounting) or, without
  /// slurmdbd, `sacct --completion` (the jobcomp file of scripts/slurm-up).
  static func finishedJobs(in directory: String, conf: String) -> [(
    id: String, name: String, state: String
  )] {
    var result = command(
      ["sacct", "-X", "-n", "-P", "-a", "-o", "JobIDRaw,JobName,State,WorkDir", "-S", "now-1days"],
      conf: conf)
    if result.status != 0 {
      result = command(
        ["sacct", "--completion", "-n", "-P", "-a", "-o", "JobIDRaw,JobName,State,WorkDir"],
        conf: conf)
    }
    return result.stdout.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 4, fields[3] == directory else { return nil }
      return (fields[0], fields[1], fields[2])
    }
  }

  /// Ids of jobs in `squeue` (any state) whose working directory is `directory`.
  static func queuedJobs(in directory: String, conf: String) -> [String] {
    command(["squeue", "-h", "-o", "%i|%Z"], conf: conf).stdout.split(separator: "\n")
      .compactMap { line in
        let fields = line.split(separator: "|").map(String.init)
        return fields.count == 2 && fields[1] == directory ? fields[0] : nil
      }
  }

  /// A workspace holding the repository's example pipeline and its stage scripts.
  static func exampleWorkspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    for file in ["pipelines/example.yaml", "stages/make_data.py", "stages/fit.py"] {
      try ws.write(file, try String(contentsOfFile: repositoryRoot + "/" + file, encoding: .utf8))
    }
    return ws
  }
}

@Suite struct SlurmCLITests {
  /// Every file under the example's output directories, path → bytes.
  func outputs(_ ws: TemporaryWorkspace) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for directory in ["data", "models", "metrics", "report"] {
      for name in try FileManager.default.contentsOfDirectory(atPath: ws.path(directory)) {
        files[directory + "/" + name] = try Data(
          contentsOf: URL(fileURLWithPath: ws.path(directory + "/" + name)))
      }
    }
    return files
  }

  /// The lock file without its `run:` lines (run ids differ between any two runs).
  func lockWithoutRuns(_ ws: TemporaryWorkspace) throws -> String {
    try ws.read("pipelines/example.lock").split(separator: "\n")
      .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("run:") }.joined(separator: "\n")
  }

  @Test func examplePipelineUnderSlurmMatchesALocalRunAndASecondRunSubmitsNothing() throws {
    guard let conf = SlurmCluster.require() else { return }
    let local = try SlurmCluster.exampleWorkspace("slurm-example-local")
    defer { local.destroy() }
    let cluster = try SlurmCluster.exampleWorkspace("slurm-example")
    defer { cluster.destroy() }
    let environment = ["SLURM_CONF": conf]
    let localRun = try CLIProcess.run(["run", "example", "-j", "4"], in: local.root)
    #expect(localRun.status == 0, "\(localRun.stderr)")

    let started = Date()
    let first = try CLIProcess.run(
      ["run", "example", "--executor", "slurm", "-j", "4"], in: cluster.root,
      environment: environment)
    print("Slurm example run: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
    #expect(first.stdout.contains("7 stages: 7 executed"), "\(first.stdout)")
    #expect(try outputs(cluster) == outputs(local))
    #expect(try lockWithoutRuns(cluster) == lockWithoutRuns(local))

    // sacct: exactly one job per executed stage, all COMPLETED.
    let jobs = SlurmCluster.finishedJobs(in: cluster.root, conf: conf)
    #expect(
      jobs.map(\.name).sorted()
        == [
          "fairflow:fit@seed=1", "fairflow:fit@seed=2", "fairflow:fit@seed=3",
          "fairflow:generate@seed=1", "fairflow:generate@seed=2", "fairflow:generate@seed=3",
          "fairflow:summary",
        ], "\(jobs)")
    #expect(jobs.allSatisfy { $0.state == "COMPLETED" }, "\(jobs)")

    // Provenance names the job and node.
    let record = try CLIProcess.run(["prov", "show", "latest/summary", "--json"], in: cluster.root)
    #expect(record.stdout.contains("\"kind\": \"slurm\""), "\(record.stdout)")
    let summaryJob = jobs.first { $0.name == "fairflow:summary" }?.id ?? "?"
    #expect(record.stdout.contains("\"job_id\": \"\(summaryJob)\""), "\(record.stdout)")
    #expect(record.stdout.contains("\"node\": "))

    let second = try CLIProcess.run(
      ["run", "example", "--executor", "slurm", "-j", "4"], in: cluster.root,
      environment: environment)
    #expect(second.status == 0)
    #expect(second.stdout.contains("0 executed"), "\(second.stdout)")
    #expect(SlurmCluster.finishedJobs(in: cluster.root, conf: conf).count == 7)
  }

  @Test func failuresNameStageJobAndSlurmState() throws {
    guard let conf = SlurmCluster.require() else { return }
    let ws = try TemporaryWorkspace("slurm-failures")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/bad.yaml",
      """
      pipeline: bad
      stages:
        fails:
          cmd: echo about to fail && exit 1
          outs: [fails.txt]
        slow:
          cmd: sleep 600 && touch slow.txt
          outs: [slow.txt]
          resources: {time: 1}
        hungry:
          cmd: python3 -c "import time; x = b'x' * (600 * 1024 * 1024); time.sleep(20)" && touch hungry.txt
          outs: [hungry.txt]
          resources: {memory: 100M}
      """)
    let started = Date()
    let run = try CLIProcess.run(
      ["run", "bad", "--executor", "slurm", "--keep-going"], in: ws.root,
      environment: ["SLURM_CONF": conf])
    print("Slurm failures run: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    #expect(run.status == 1)
    let jobs = Dictionary(
      SlurmCluster.finishedJobs(in: ws.root, conf: conf).map { ($0.name, $0) },
      uniquingKeysWith: { first, _ in first })
    func expectFailure(_ stage: String, _ state: String, _ detail: String) {
      let id = jobs["fairflow:" + stage]?.id ?? "?"
      let pattern =
        "stage '\(stage)' failed: Slurm job \(id) on [^ ]+ ended \(state)[^\n]*\(detail)"
      #expect(
        run.stderr.range(of: pattern, options: .regularExpression) != nil,
        "no '\(pattern)' in:\n\(run.stderr)")
    }
    expectFailure("fails", "FAILED", "exit status 1")
    expectFailure("slow", "TIMEOUT", "time limit of 00:01:00")
    expectFailure("hungry", "OUT_OF_MEMORY", "limit of 100M")
    #expect(jobs["fairflow:slow"]?.state == "TIMEOUT")
  }

  @Test func interruptCancelsEveryJobOfTheRun() throws {
    guard let conf = SlurmCluster.require() else { return }
    let ws = try TemporaryWorkspace("slurm-interrupt")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/long.yaml",
      """
      stages:
        sleeper:
          matrix: {n: [1, 2, 3]}
          cmd: sleep 600 && touch "out-${matrix.n}"
          outs: ["out-${matrix.n}"]
      """)
    let (process, out, err) = try CLIProcess.start(
      ["run", "long", "--executor", "slurm", "-j", "3"], in: ws.root,
      environment: ["SLURM_CONF": conf])
    let deadline = Date().addingTimeInterval(60)
    while SlurmCluster.queuedJobs(in: ws.root, conf: conf).count < 3, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.2)
    }
    #expect(SlurmCluster.queuedJobs(in: ws.root, conf: conf).count == 3)
    process.interrupt()  // SIGINT, as Ctrl-C sends
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 130, "\(String(decoding: stderr, as: UTF8.self))")
    #expect(String(decoding: stdout, as: UTF8.self).contains("interrupted"))
    #expect(SlurmCluster.queuedJobs(in: ws.root, conf: conf).isEmpty)
    let jobs = SlurmCluster.finishedJobs(in: ws.root, conf: conf)
    #expect(jobs.count == 3 && jobs.allSatisfy { $0.state == "CANCELLED" }, "\(jobs)")
  }
}
