import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowTesting
import Foundation
import Synchronization
import Testing

@Suite struct SlurmBatchTests {
  let job = Job(
    stage: "fit@seed=1", arguments: ["/proc/self/exe", "exec-stage", "p.yaml", "--stage", "it's"],
    environment: [("FAIRFLOW_STAGE", "fit@seed=1"), ("NOTE", "a b $HOME")],
    workingDirectory: "/shared/ws", logPath: "/shared/ws/cache/logs/R/fit@seed=1.log")

  @Test func sbatchArgumentsCarryResourcesAndSettings() {
    let resources = Resources(cpus: 4, memoryBytes: 1_500_000_000, gpus: 2, timeSeconds: 5400)
    let settings = SlurmSettings(
      partition: "gpu", account: "proj42", qos: "high", defaultTimeSeconds: 60,
      options: ["--constraint=a100"])
    let arguments = SlurmBatch.arguments(
      for: job, resources: resources, settings: settings, scriptPath: "/s.sh")
    #expect(
      arguments == [
        "--parsable", "--job-name=fairflow:fit@seed=1",
        "--output=/shared/ws/cache/logs/R/fit@seed=1.log", "--open-mode=append",
        "--chdir=/shared/ws", "--export=ALL", "--nodes=1", "--ntasks=1", "--cpus-per-task=4",
        "--partition=gpu", "--account=proj42", "--qos=high", "--mem=1431M", "--gres=gpu:2",
        "--time=01:30:00", "--constraint=a100", "/s.sh",
      ])
  }

  @Test func defaultsLeaveMemoryGpusAndTimeToTheCluster() {
    let arguments = SlurmBatch.arguments(
      for: job, resources: Resources(), settings: SlurmSettings(), scriptPath: "/s.sh")
    #expect(!arguments.contains { $0.hasPrefix("--mem") || $0.hasPrefix("--gres") })
    #expect(!arguments.contains { $0.hasPrefix("--time") || $0.hasPrefix("--partition") })
    #expect(arguments.contains("--cpus-per-task=1"))
    // The pipeline's default time applies to stages without their own.
    let timed = SlurmBatch.arguments(
      for: job, resources: Resources(), settings: SlurmSettings(defaultTimeSeconds: 90_000),
      scriptPath: "/s.sh")
    #expect(timed.contains("--time=1-01:00:00"))
  }

  @Test func scriptRunsTheSameArgvWithTheJobEnvironment() {
    let script = SlurmBatch.script(for: job, run: "RUN1", executable: "/opt/bin/fairflow")
    #expect(
      script == """
        #!/bin/sh
        # fairflow stage fit@seed=1 of run RUN1, submitted by the Slurm executor.
        export FAIRFLOW_STAGE=fit@seed=1
        export NOTE='a b $HOME'
        cd /shared/ws || exit 1
        exec /opt/bin/fairflow exec-stage p.yaml --stage 'it'\\''s'

        """)
  }

  @Test func memoryRoundsUpToMebibytes() {
    #expect(SlurmBatch.memoryText(1) == "1M")
    #expect(SlurmBatch.memoryText(1_048_576) == "1M")
    #expect(SlurmBatch.memoryText(1_048_577) == "2M")
    #expect(SlurmBatch.memoryText(4 * 1_073_741_824) == "4096M")
  }

  @Test func parsableJobIDs() {
    #expect(SlurmBatch.jobID(fromParsable: "4242\n") == "4242")
    #expect(SlurmBatch.jobID(fromParsable: "4242;cluster\n") == "4242")
    #expect(SlurmBatch.jobID(fromParsable: "sbatch: warning: x\n17\n") == "17")
    #expect(SlurmBatch.jobID(fromParsable: "Submitted batch job\n") == nil)
  }
}

@Suite struct SlurmStatusTests {
  @Test func squeueLines() {
    let jobs = SlurmStatus.parseSqueue("12|RUNNING|node1|None\n13|PENDING||Resources\n")
    #expect(jobs["12"] == SlurmJobRecord(id: "12", state: "RUNNING", nodes: "node1"))
    #expect(jobs["13"]?.reason == "Resources")
    #expect(jobs["13"]?.nodes == "")
  }

  @Test func sacctLinesSkipStepsAndSplitExitCodes() {
    let jobs = SlurmStatus.parseSacct(
      """
      5|FAILED|1:0|n1
      5.batch|FAILED|1:0|n1
      6|CANCELLED by 0|0:15|None assigned
      7|OUT_OF_MEMORY|0:125|n2
      8|COMPLETED|0:0|n1

      """)
    #expect(jobs.count == 4)
    #expect(jobs["5"]?.exitCode == 1)
    #expect(jobs["5"]?.signal == 0)
    #expect(jobs["6"]?.state == "CANCELLED")
    #expect(jobs["6"]?.rawState == "CANCELLED by 0")
    #expect(jobs["6"]?.nodes == "")
    #expect(jobs["7"]?.signal == 125)
  }

  @Test func scontrolOneLinePerJob() {
    let jobs = SlurmStatus.parseScontrol(
      "JobId=9 JobName=wrap JobState=TIMEOUT Reason=TimeLimit ExitCode=0:15 NodeList=vm BatchHost=vm\n"
    )
    #expect(
      jobs["9"]
        == SlurmJobRecord(
          id: "9", state: "TIMEOUT", exitCode: 0, signal: 15, nodes: "vm", reason: "TimeLimit"))
  }

  func reason(_ outcome: StageOutcome) -> String {
    if case .failed(let reason, _) = outcome { return reason }
    return outcome.summary
  }

  @Test func everyFinalStateNamesTheJobAndState() {
    let resources = Resources(memoryBytes: 52_428_800, timeSeconds: 60)
    let settings = SlurmSettings()
    func outcome(_ state: String, exit: Int32 = 0, signal: Int32 = 0, log: String = "")
      -> StageOutcome
    {
      SlurmStatus.outcome(
        of: SlurmJobRecord(id: "31", state: state, exitCode: exit, signal: signal, nodes: "n4"),
        resources: resources, settings: settings, logTail: log)
    }
    #expect(outcome("COMPLETED") == .exited(0))
    let failed = outcome("FAILED", exit: 3)
    #expect(
      failed == .failed(reason: "Slurm job 31 on n4 ended FAILED: exit status 3", exitStatus: 3))
    #expect(failed.exitStatus == 3)
    #expect(reason(outcome("TIMEOUT", signal: 15)).contains("ended TIMEOUT"))
    #expect(reason(outcome("TIMEOUT", signal: 15)).contains("time limit of 00:01:00"))
    #expect(
      reason(outcome("OUT_OF_MEMORY", signal: 125)).contains(
        "Slurm job 31 on n4 ended OUT_OF_MEMORY"))
    #expect(reason(outcome("OUT_OF_MEMORY", signal: 125)).contains("limit of 50M"))
    #expect(reason(outcome("CANCELLED")).contains("Slurm job 31 on n4 ended CANCELLED"))
    #expect(reason(outcome("NODE_FAIL")).contains("ended NODE_FAIL: the node failed"))
    #expect(reason(outcome("PREEMPTED")) == "Slurm job 31 on n4 ended PREEMPTED")
    #expect(reason(outcome("UNKNOWN")).contains("neither sacct nor scontrol"))
    // Without cgroups Slurm records a memory kill as FAILED; its log says why.
    let killed = reason(
      outcome("FAILED", signal: 9, log: "slurmstepd: error: Exceeded job memory limit\n"))
    #expect(killed.contains("ended OUT_OF_MEMORY (Slurm recorded FAILED"))
    #expect(
      reason(outcome("FAILED", signal: 9)) == "Slurm job 31 on n4 ended FAILED: killed by signal 9")
  }

  @Test func backoffGrowsToItsCeilingAndResets() {
    var backoff = PollBackoff(initial: 0.5, factor: 2, maximum: 3)
    #expect(
      [backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()] == [
        0.5, 1, 2, 3, 3,
      ])
    backoff.reset()
    #expect(backoff.next() == 0.5)
    // Nonsense settings are clamped: never a zero interval (no busy loop), never shrinking.
    var clamped = PollBackoff(initial: 0, factor: 0.5, maximum: 0)
    #expect(clamped.next() > 0)
    #expect(clamped.next() >= clamped.initial)
  }
}

@Suite struct SlurmExecutorTests {
  static let fast = PollBackoff(initial: 0.01, factor: 2, maximum: 0.05)

  func executor(
    _ commands: any SlurmCommandRunner, pipeline: Pipeline? = nil, executable: String? = nil
  ) -> SlurmExecutor {
    let configuration = SlurmExecutor.Configuration(
      settings: pipeline?.slurm ?? SlurmSettings(),
      resources: Dictionary(
        (pipeline?.stages ?? []).map { ($0.name, $0.resources) },
        uniquingKeysWith: { first, _ in first }),
      backoff: Self.fast, executable: executable)
    return SlurmExecutor(configuration: configuration, commands: commands)
  }

  @Test func runsTheExamplePipelineWithTheSameResultsAndLockAsLocally() async throws {
    let pipeline = """
      params:
        n: 3
      stages:
        make:
          matrix: {i: [1, 2]}
          cmd: seq ${params.n} > "out/n-${matrix.i}.txt" && echo made ${matrix.i}
          outs: ["out/n-${matrix.i}.txt"]
          resources: {cpus: 2, memory: 64M, time: 5m}
        sum:
          cmd: cat out/n-*.txt | paste -sd+ | bc > total.txt
          deps: [out]
          outs: [total.txt]
      """
    let local = try EngineHarness("slurm-local", pipeline: pipeline)
    defer { local.ws.destroy() }
    let cluster = try EngineHarness("slurm-cluster", pipeline: pipeline)
    defer { cluster.ws.destroy() }
    #expect(try await local.run().exitStatus == .success)
    let slurm = ScriptedSlurm(pollsInQueue: 2)
    let loaded = try cluster.load()
    let first = try await cluster.run(executor: executor(slurm, pipeline: loaded.pipeline))
    #expect(first.exitStatus == .success)
    #expect(try cluster.ws.read("total.txt") == local.ws.read("total.txt"))
    #expect(try cluster.ws.read("total.txt") == "12\n")
    let strip = { (text: String) in
      text.split(separator: "\n").filter { !$0.contains("run:") }.joined(separator: "\n")
    }
    #expect(
      strip(try cluster.ws.read("pipelines/main.lock"))
        == strip(try local.ws.read("pipelines/main.lock")))
    // One job per stage, with its resources; the log holds the job's output.
    #expect(slurm.jobNames.sorted() == ["fairflow:make@i=1", "fairflow:make@i=2", "fairflow:sum"])
    let submission = try #require(slurm.commands.first { $0.first == "sbatch" })
    #expect(submission.contains("--cpus-per-task=2"))
    #expect(submission.contains("--mem=64M"))
    #expect(submission.contains("--time=00:05:00"))
    let log = try #require(
      try FileManager.default.contentsOfDirectory(atPath: cluster.ws.path("cache/logs")).first)
    #expect(try cluster.ws.read("cache/logs/\(log)/make@i=1.log") == "made 1\n")
    // Accounting disabled → `sacct --completion` from then on, `sacct -X` asked only once.
    #expect(slurm.commands.filter { $0.first == "sacct" && $0.contains("-X") }.count == 1)
    #expect(slurm.commands.contains { $0.first == "sacct" && $0.contains("--completion") })
    // A second run submits nothing.
    let again = try await cluster.run(executor: executor(slurm, pipeline: loaded.pipeline))
    #expect(again.executed.isEmpty)
    #expect(slurm.count("sbatch") == 3)
  }

  @Test func failedStatesBecomeStageFailuresNamingJobAndState() async throws {
    let h = try EngineHarness(
      "slurm-fail",
      pipeline: """
        stages:
          bad:
            cmd: echo oops && exit 4
            outs: [bad.txt]
          slow:
            cmd: touch slow.txt
            outs: [slow.txt]
            resources: {time: 1}
        """)
    defer { h.ws.destroy() }
    let slurm = ScriptedSlurm(forcedStates: ["fairflow:slow": "TIMEOUT"])
    let summary = try await h.run(
      keepGoing: true, executor: executor(slurm, pipeline: try h.load().pipeline))
    #expect(summary.exitStatus == .failure)
    let bad = try #require(summary.failures.first { $0.stage == "bad" })
    #expect(bad.reason.hasPrefix("Slurm job 1"))
    #expect(bad.reason.hasSuffix("on node7 ended FAILED: exit status 4"))
    #expect(bad.message.contains("stage 'bad' failed: Slurm job"))
    let slow = try #require(summary.failures.first { $0.stage == "slow" })
    #expect(slow.reason.contains("ended TIMEOUT: it ran past its time limit of 00:01:00"))
  }

  @Test func pollingBacksOffInsteadOfSpinning() async throws {
    let slurm = ScriptedSlurm(pollsInQueue: 1_000_000)
    let executor = SlurmExecutor(
      configuration: SlurmExecutor.Configuration(
        backoff: PollBackoff(initial: 0.05, factor: 2, maximum: 0.4)),
      commands: slurm)
    let ws = try TemporaryWorkspace("slurm-poll")
    defer { ws.destroy() }
    let job = Job(
      stage: "s", arguments: ["/bin/true"], environment: [], workingDirectory: ws.root,
      logPath: ws.path("s.log"))
    let task = Task { await executor.run(job) }
    while slurm.count("squeue") == 0 { try await Task.sleep(nanoseconds: 5_000_000) }
    try await Task.sleep(nanoseconds: 1_500_000_000)
    // After the first poll: 0.1 + 0.2 + 0.4 + 0.4 + 0.4 ≈ 1.5 s, so about 5 more; never a busy
    // loop (a loaded machine may poll less often, never more).
    let polls = slurm.count("squeue")
    #expect(polls >= 2 && polls <= 7, "squeue ran \(polls) times in 1.5 s")
    await executor.terminateAll()
    let outcome = await task.value
    #expect(slurm.commands.contains(["scancel", "100"]))
    #expect(!outcome.succeeded)
  }

  @Test func terminateAllCancelsQueuedJobsAndWaitsForThemToLeave() async throws {
    let slurm = StuckSlurm()
    let executor = executor(slurm)
    let ws = try TemporaryWorkspace("slurm-cancel")
    defer { ws.destroy() }
    let job = Job(
      stage: "s", arguments: ["/bin/true"], environment: [], workingDirectory: ws.root,
      logPath: ws.path("s.log"))
    let task = Task { await executor.run(job) }
    while !slurm.commands.contains(where: { $0.first == "squeue" }) {
      try await Task.sleep(nanoseconds: 10_000_000)
    }
    await executor.terminateAll()
    let outcome = await task.value
    #expect(slurm.commands.contains(["scancel", "77"]))
    guard case .failed(let reason, _) = outcome else {
      Issue.record("expected a failure, got \(outcome)")
      return
    }
    #expect(reason.hasPrefix("Slurm job 77 ended CANCELLED (by 0)"))
    #expect(
      executor.provenance(ofStage: "s").contains { $0.key == "job_id" && $0.value == .string("77") }
    )
    // After the interrupt nothing more is submitted.
    let late = await executor.run(job)
    #expect(!late.succeeded)
    #expect(slurm.commands.filter { $0.first == "sbatch" }.count == 1)
  }

  @Test func provenanceNamesJobAndNodeAndRoutingKeepsLocalStagesLocal() async throws {
    let h = try EngineHarness(
      "slurm-route",
      pipeline: """
        stages:
          here:
            cmd: echo here > here.txt
            outs: [here.txt]
            executor: local
          there:
            cmd: echo there > there.txt
            outs: [there.txt]
        """)
    defer { h.ws.destroy() }
    let loaded = try h.load()
    #expect(RoutingExecutor.slurmStages(of: loaded.pipeline, runExecutor: .slurm) == ["there"])
    #expect(RoutingExecutor.slurmStages(of: loaded.pipeline, runExecutor: .local).isEmpty)
    let slurm = ScriptedSlurm()
    let slurmExecutor = executor(slurm, pipeline: loaded.pipeline)
    let routed = RoutingExecutor(
      local: LocalExecutor(gracePeriod: 1), slurm: slurmExecutor, slurmStages: ["there"])
    #expect(try await h.run(executor: routed).exitStatus == .success)
    #expect(slurm.jobNames == ["fairflow:there"])
    #expect(routed.provenance(ofStage: "here").map(\.key) == ["kind"])
    let facts = routed.provenance(ofStage: "there")
    #expect(facts.map(\.key) == ["kind", "job_id", "state", "node"])
    #expect(facts.last?.value == .string("node7"))
  }
}
