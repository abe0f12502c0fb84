import FairflowCore
import Testing

@Suite struct SchedulerTests {
  /// a → b, a → c, d independent.
  static let text = """
    stages:
      a: {cmd: x, outs: [a]}
      b: {cmd: x, deps: [a], outs: [b]}
      c: {cmd: x, deps: [a], outs: [c]}
      d: {cmd: x, outs: [d]}
    """
  static let a = 0, b = 1, c = 2, d = 3

  func scheduler(
    slots: Int, cpus: [Int] = [1, 1, 1, 1], keepGoing: Bool = false,
    selected: Set<Int> = [0, 1, 2, 3]
  ) throws -> Scheduler {
    let (_, graph) = try graph(Self.text)
    return Scheduler(
      graph: graph, selected: selected, cpus: cpus, slots: slots, keepGoing: keepGoing)
  }

  @Test func startEvaluatesRootsInOrder() throws {
    var s = try scheduler(slots: 4)
    #expect(s.states == [.waiting, .waiting, .waiting, .waiting])
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    #expect(s.states == [.evaluating, .waiting, .waiting, .evaluating])
  }

  @Test func oneSlotRunsOneStageAtATime() throws {
    var s = try scheduler(slots: 1)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [])  // no free slot
    #expect(s.states[Self.d] == .queued)
    try #require(
      s.finished(Self.a, succeeded: true) == [
        .evaluate(Self.b), .evaluate(Self.c), .execute(Self.d),
      ])
    try #require(s.evaluated(Self.b, needsExecution: true) == [])
    try #require(s.evaluated(Self.c, needsExecution: true) == [])
    try #require(s.finished(Self.d, succeeded: true) == [.execute(Self.b)])
    try #require(s.finished(Self.b, succeeded: true) == [.execute(Self.c)])
    try #require(s.finished(Self.c, succeeded: true) == [])
    #expect(s.isFinished)
    #expect(s.states == [.succeeded, .succeeded, .succeeded, .succeeded])
  }

  @Test func moreSlotsRunStagesConcurrently() throws {
    var s = try scheduler(slots: 2)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [.execute(Self.d)])
    #expect(s.states == [.running, .waiting, .waiting, .running])
  }

  @Test func upToDateStagesUnlockDependentsWithoutUsingSlots() throws {
    var s = try scheduler(slots: 1)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [.execute(Self.d)])  // holds the slot
    try #require(
      s.evaluated(Self.a, needsExecution: false) == [.evaluate(Self.b), .evaluate(Self.c)])
    #expect(s.states[Self.a] == .succeeded)
    try #require(s.evaluated(Self.b, needsExecution: false) == [])
    try #require(s.evaluated(Self.c, needsExecution: true) == [])  // waits for d's slot
    try #require(s.finished(Self.d, succeeded: true) == [.execute(Self.c)])
  }

  @Test func largeCpuRequestIsClampedAndRunsAlone() throws {
    var s = try scheduler(slots: 2, cpus: [8, 1, 1, 1])
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [.execute(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [])  // needs both slots
    try #require(s.finished(Self.d, succeeded: true) == [.execute(Self.a)])  // not stuck forever
    #expect(s.states[Self.a] == .running)
  }

  @Test func cpuRequestsShareSlots() throws {
    var s = try scheduler(slots: 3, cpus: [2, 1, 1, 2])
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [])  // 2 + 2 > 3
    try #require(
      s.finished(Self.a, succeeded: true) == [
        .evaluate(Self.b), .evaluate(Self.c), .execute(Self.d),
      ])
    try #require(s.evaluated(Self.b, needsExecution: true) == [.execute(Self.b)])  // 2 + 1 = 3
    try #require(s.evaluated(Self.c, needsExecution: true) == [])
  }

  @Test func failureSkipsDownstreamAndStopsNewWork() throws {
    var s = try scheduler(slots: 1)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [])
    try #require(s.finished(Self.a, succeeded: false) == [])  // d is queued but never starts
    #expect(s.stopped)
    #expect(s.isFinished)
    #expect(s.states == [.failed, .skipped, .skipped, .queued])
  }

  @Test func failureLetsRunningStagesFinish() throws {
    var s = try scheduler(slots: 2)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [.execute(Self.d)])
    try #require(s.finished(Self.a, succeeded: false) == [])
    #expect(!s.isFinished)  // d is still running
    try #require(s.finished(Self.d, succeeded: true) == [])
    #expect(s.isFinished)
    #expect(s.states == [.failed, .skipped, .skipped, .succeeded])
  }

  @Test func failedEvaluationCountsAsAFailure() throws {
    var s = try scheduler(slots: 2)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.finished(Self.a, succeeded: false) == [])  // e.g. a dependency is missing
    #expect(s.states[Self.a] == .failed)
    #expect(s.states[Self.b] == .skipped)
    #expect(!s.isFinished)  // d is still being evaluated
    try #require(s.evaluated(Self.d, needsExecution: true) == [])  // stopped: does not start
    #expect(s.isFinished)
  }

  @Test func keepGoingContinuesIndependentBranches() throws {
    var s = try scheduler(slots: 1, keepGoing: true)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [])
    try #require(s.finished(Self.a, succeeded: false) == [.execute(Self.d)])
    #expect(!s.stopped)
    #expect(!s.isFinished)
    try #require(s.finished(Self.d, succeeded: true) == [])
    #expect(s.isFinished)
    #expect(s.states == [.failed, .skipped, .skipped, .succeeded])
  }

  @Test func cancelStopsStartingWorkButWaitsForRunningStages() throws {
    var s = try scheduler(slots: 2)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    s.cancel()
    #expect(s.stopped)
    try #require(s.evaluated(Self.d, needsExecution: true) == [])
    #expect(!s.isFinished)  // a is still running
    try #require(s.finished(Self.a, succeeded: true) == [])  // b and c are not evaluated
    #expect(s.isFinished)
    #expect(s.states == [.succeeded, .waiting, .waiting, .queued])
  }

  @Test func isFinishedOnlyWhenNothingIsLeft() throws {
    var s = try scheduler(slots: 4)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    #expect(!s.isFinished)
    try #require(s.evaluated(Self.d, needsExecution: false) == [])
    #expect(!s.isFinished)
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    #expect(!s.isFinished)
    try #require(s.finished(Self.a, succeeded: true) == [.evaluate(Self.b), .evaluate(Self.c)])
    #expect(!s.isFinished)
    try #require(s.evaluated(Self.b, needsExecution: false) == [])
    #expect(!s.isFinished)
    try #require(s.evaluated(Self.c, needsExecution: false) == [])
    #expect(s.isFinished)
  }

  @Test func unselectedStagesAreIgnored() throws {
    var s = try scheduler(slots: 4, selected: [Self.a, Self.b])
    try #require(s.start() == [.evaluate(Self.a)])
    try #require(s.evaluated(Self.a, needsExecution: false) == [.evaluate(Self.b)])
    try #require(s.evaluated(Self.b, needsExecution: false) == [])
    #expect(s.isFinished)
    #expect(s.states == [.succeeded, .succeeded, .notStarted, .notStarted])
  }

  @Test func unselectedUpstreamDoesNotBlock() throws {
    var s = try scheduler(slots: 4, selected: [Self.b])
    try #require(s.start() == [.evaluate(Self.b)])
  }

  @Test func zeroSlotsStillRunsOneStage() throws {
    var s = try scheduler(slots: 0)
    try #require(s.start() == [.evaluate(Self.a), .evaluate(Self.d)])
    try #require(s.evaluated(Self.a, needsExecution: true) == [.execute(Self.a)])
    try #require(s.evaluated(Self.d, needsExecution: true) == [])
  }
}
