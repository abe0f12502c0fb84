import FairflowCore
import Testing

@Suite struct SchedulerTests {
  /// a → b, a → c, d independent; all selected.
  static let text = """
    stages:
      a:
        cmd: x
        outs: [a]
      b:
        cmd: x
        deps: [a]
        outs: [b]
      c:
        cmd: x
        deps: [a]
        outs: [c]
      d:
        cmd: x
        outs: [d]
    """

  func scheduler(slots: Int, cpus: [Int] = [1, 1, 1, 1], keepGoing: Bool = false) throws
    -> Scheduler
  {
    let (_, graph) = try graph(Self.text)
    return Scheduler(
      graph: graph, selected: Set(0..<4), cpus: cpus, slots: slots, keepGoing: keepGoing)
  }

  @Test func slotsLimitConcurrentExecution() throws {
    var s = try scheduler(slots: 1)
    #expect(s.start() == [.evaluate(0), .evaluate(3)])
    #expect(s.evaluated(0, needsExecution: true) == [.execute(0)])
    #expect(s.evaluated(3, needsExecution: true) == [])  // no free slot
    #expect(s.finished(0, succeeded: true) == [.evaluate(1), .evaluate(2), .execute(3)])
    #expect(s.evaluated(1, needsExecution: true) == [])
    #expect(s.evaluated(2, needsExecution: false) == [])  // up to date: needs no slot
    #expect(s.finished(3, succeeded: true) == [.execute(1)])
    #expect(!s.isFinished)
    #expect(s.finished(1, succeeded: true) == [])
    #expect(s.isFinished)
    #expect(s.states == [.succeeded, .succeeded, .succeeded, .succeeded])
  }

  @Test func largeCpuRequestIsClampedAndRunsAlone() throws {
    var s = try scheduler(slots: 2, cpus: [8, 1, 1, 1])
    _ = s.start()
    #expect(s.evaluated(3, needsExecution: true) == [.execute(3)])
    #expect(s.evaluated(0, needsExecution: true) == [])  // needs both slots
    #expect(s.finished(3, succeeded: true) == [.execute(0)])
  }

  @Test func failureSkipsDownstreamAndStopsNewWork() throws {
    var s = try scheduler(slots: 1)
    _ = s.start()
    _ = s.evaluated(0, needsExecution: true)
    _ = s.evaluated(3, needsExecution: true)
    #expect(s.finished(0, succeeded: false) == [])  // d is queued but not started
    #expect(s.isFinished)
    #expect(s.states == [.failed, .skipped, .skipped, .queued])
  }

  @Test func keepGoingContinuesIndependentBranches() throws {
    var s = try scheduler(slots: 1, keepGoing: true)
    _ = s.start()
    _ = s.evaluated(0, needsExecution: true)
    _ = s.evaluated(3, needsExecution: true)
    #expect(s.finished(0, succeeded: false) == [.execute(3)])
    #expect(s.finished(3, succeeded: true) == [])
    #expect(s.isFinished)
    #expect(s.states == [.failed, .skipped, .skipped, .succeeded])
  }

  @Test func cancelStopsStartingWork() throws {
    var s = try scheduler(slots: 2)
    _ = s.start()
    _ = s.evaluated(0, needsExecution: true)
    s.cancel()
    #expect(s.evaluated(3, needsExecution: true) == [])
    #expect(!s.isFinished)  // a is still running
    #expect(s.finished(0, succeeded: true) == [])
    #expect(s.isFinished)
  }

  @Test func unselectedStagesAreIgnored() throws {
    let (_, graph) = try graph(Self.text)
    var s = Scheduler(
      graph: graph, selected: [0, 1], cpus: [1, 1, 1, 1], slots: 4, keepGoing: false)
    #expect(s.start() == [.evaluate(0)])
    #expect(s.evaluated(0, needsExecution: false) == [.evaluate(1)])
    #expect(s.evaluated(1, needsExecution: false) == [])
    #expect(s.isFinished)
    #expect(s.states[2] == .notStarted)
  }
}
