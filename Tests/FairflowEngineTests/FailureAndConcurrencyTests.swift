import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting
import Foundation
import Testing

@Suite struct FailureAndConcurrencyTests {
  static let failing = """
    stages:
      good:
        cmd: echo good > good.txt
        outs: [good.txt]
      bad:
        cmd: echo partial > bad.txt && test -f fixed
        deps: [good.txt]
        outs: [bad.txt]
      after:
        cmd: cp bad.txt after.txt
        deps: [bad.txt]
        outs: [after.txt]
    """

  @Test func failingStageStopsDownstreamAndNextRunResumes() async throws {
    let h = try EngineHarness("fail", pipeline: Self.failing)
    defer { h.ws.destroy() }
    let summary = try await h.run()
    #expect(summary.exitStatus == .failure)
    #expect(summary.result("good") != nil && summary.executed == ["good"])
    #expect(summary.result("after") == .skipped)
    let failure = try #require(summary.failures.first)
    #expect(failure.stage == "bad")
    #expect(failure.command == "echo partial > bad.txt && test -f fixed")
    #expect(failure.reason == "exit status 1")
    #expect(failure.log == "cache/logs/\(summary.run)/bad.log")
    #expect(
      failure.message.contains(
        "stage 'bad' failed: exit status 1\n  command: echo partial > bad.txt && test -f fixed\n  log: cache/logs/"
      ))
    // The good stage's output is intact and cached; the failed stage's partial output never entered the store.
    #expect(try h.ws.read("good.txt") == "good\n")
    let objects = try ObjectStore(workspace: h.ws.root).allObjects()
    #expect(objects.count == 1)
    #expect(try CacheMaintenance.verify(h.workspace).isClean)

    try h.ws.write("fixed", "")
    let resumed = try await h.run()
    #expect(resumed.exitStatus == .success)
    #expect(resumed.executed == ["bad", "after"])
    #expect(resumed.result("good") == .upToDate)
  }

  @Test func keepGoingRunsIndependentBranches() async throws {
    let h = try EngineHarness(
      "keep",
      pipeline: """
        stages:
          broken:
            cmd: exit 3
            outs: [x.txt]
          fine:
            cmd: echo ok > ok.txt
            outs: [ok.txt]
        """)
    defer { h.ws.destroy() }
    let summary = try await h.run(jobs: 1, keepGoing: true)
    #expect(summary.failures.map(\.stage) == ["broken"])
    #expect(summary.failures.first?.reason == "exit status 3")
    #expect(summary.executed == ["fine"])
  }

  @Test func missingDeclaredOutputFailsTheStage() async throws {
    let h = try EngineHarness(
      "noout",
      pipeline: """
        stages:
          lazy:
            cmd: "true"
            outs: [never.txt]
        """)
    defer { h.ws.destroy() }
    let summary = try await h.run()
    #expect(summary.failures.first?.reason == "it did not create declared output 'never.txt'")
  }

  @Test func twoSlotsRunIndependentStagesConcurrently() async throws {
    let h = try EngineHarness(
      "parallel",
      pipeline: """
        stages:
          left:
            cmd: date +%s.%N > left.start && sleep 0.6 && date +%s.%N > left.end
            outs: [left.start, left.end]
          right:
            cmd: date +%s.%N > right.start && sleep 0.6 && date +%s.%N > right.end
            outs: [right.start, right.end]
        """)
    defer { h.ws.destroy() }
    try await h.run(jobs: 2)
    func time(_ name: String) throws -> Double {
      Double(try h.ws.read(name).trimmingCharacters(in: .whitespacesAndNewlines))!
    }
    // Overlapping intervals: each started before the other ended.
    #expect(try time("left.start") < time("right.end"))
    #expect(try time("right.start") < time("left.end"))

    // With one slot they run one after the other.
    let serial = try EngineHarness("serial", pipeline: try h.ws.read("pipelines/main.yaml"))
    defer { serial.ws.destroy() }
    try await serial.run(jobs: 1)
    func serialTime(_ name: String) throws -> Double {
      Double(try serial.ws.read(name).trimmingCharacters(in: .whitespacesAndNewlines))!
    }
    #expect(
      try serialTime("left.end") <= serialTime("right.start")
        || serialTime("right.end") <= serialTime("left.start"))
  }

  @Test func fakeExecutorRecordsJobsAndEnvironment() async throws {
    let h = try EngineHarness(
      "fake",
      pipeline: """
        env: {MODE: fast}
        stages:
          one:
            cmd: produce
            outs: [one.txt]
            env: {LEVEL: "3"}
        """)
    defer { h.ws.destroy() }
    let fake = FakeExecutor(outputs: ["one": [("one.txt", "1")]])
    let summary = try await h.run(executor: fake)
    #expect(summary.executed == ["one"])
    let job = try #require(fake.jobs.first)
    #expect(job.arguments == ["/bin/sh", "-c", "produce"])
    #expect(job.workingDirectory == h.ws.root)
    #expect(job.environment.contains { $0.name == "MODE" && $0.value == "fast" })
    #expect(job.environment.contains { $0.name == "LEVEL" && $0.value == "3" })
    #expect(job.environment.contains { $0.name == "FAIRFLOW_STAGE" && $0.value == "one" })
  }
}
