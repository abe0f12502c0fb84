/// The scheduler as a pure state machine (no processes, no clock): it decides which stages may be
/// evaluated (is it up to date? restorable?) and which may start executing, given `-j` slots and
/// each stage's `resources.cpus`. The async driver in the engine performs the actions and reports
/// back; tests drive it directly.
///
/// Life of a stage: waiting → (all upstream done) → evaluating → done, or → queued → running →
/// done/failed. A failure marks everything downstream `skipped`; without keep-going, no new stage
/// starts after the first failure, running ones are allowed to finish.
public struct Scheduler: Sendable {
  public enum Action: Sendable, Equatable {
    /// Decide whether the stage needs to run (hash deps, compare fingerprints, try the run cache).
    case evaluate(Int)
    /// Start the stage's process; it holds `cpus` slots until `finished`.
    case execute(Int)
  }

  public enum State: Sendable, Equatable {
    case waiting, evaluating, queued, running, succeeded, failed, skipped, notStarted
  }

  public private(set) var states: [State]
  private var pendingUpstream: [Int]
  private let graph: Graph
  private let cpus: [Int]
  private let slots: Int
  private var freeSlots: Int
  private var queue = MinHeap()
  private let keepGoing: Bool
  public private(set) var stopped = false
  private var active = 0  // evaluating + running

  /// - Parameters:
  ///   - selected: the stages of this run (targets and their upstream); others are ignored.
  ///   - cpus: per-stage cpu request; clamped to `slots` so a large stage can still run alone.
  public init(graph: Graph, selected: Set<Int>, cpus: [Int], slots: Int, keepGoing: Bool) {
    self.graph = graph
    self.cpus = cpus.map { max(1, min($0, max(1, slots))) }
    self.slots = max(1, slots)
    self.freeSlots = max(1, slots)
    self.keepGoing = keepGoing
    self.states = Array(repeating: .notStarted, count: cpus.count)
    self.pendingUpstream = Array(repeating: 0, count: cpus.count)
    for index in selected {
      states[index] = .waiting
      pendingUpstream[index] = graph.upstream[index].filter { selected.contains($0) }.count
    }
  }

  /// The first actions: evaluate every selected stage with no selected upstream.
  public mutating func start() -> [Action] {
    var actions: [Action] = []
    for index in graph.order where states[index] == .waiting && pendingUpstream[index] == 0 {
      states[index] = .evaluating
      active += 1
      actions.append(.evaluate(index))
    }
    return actions
  }

  /// The driver evaluated a stage: either it is done (up to date or restored) or it must run.
  public mutating func evaluated(_ index: Int, needsExecution: Bool) -> [Action] {
    precondition(states[index] == .evaluating, "evaluated(\(index)) in state \(states[index])")
    active -= 1
    if needsExecution {
      states[index] = .queued
      queue.push(index)
      return dispatch()
    }
    return complete(index)
  }

  /// A running stage finished; `succeeded` false marks its downstream skipped.
  public mutating func finished(_ index: Int, succeeded: Bool) -> [Action] {
    if states[index] == .running {
      freeSlots += cpus[index]
      active -= 1
    } else if states[index] == .evaluating {
      active -= 1  // evaluation itself failed (e.g. a dependency is missing)
    } else {
      preconditionFailure("finished(\(index)) in state \(states[index])")
    }
    guard succeeded else {
      states[index] = .failed
      skipDownstream(of: index)
      if !keepGoing { stopped = true }
      return dispatch()
    }
    return complete(index)
  }

  /// Stop starting work (Ctrl-C). Running stages are the driver's to terminate.
  public mutating func cancel() { stopped = true }

  /// True when nothing is running or evaluating and nothing more will start.
  public var isFinished: Bool { active == 0 && (stopped || queue.isEmpty) }

  private mutating func complete(_ index: Int) -> [Action] {
    states[index] = .succeeded
    var actions: [Action] = []
    for down in graph.downstream[index] where states[down] == .waiting {
      pendingUpstream[down] -= 1
      if pendingUpstream[down] == 0, !stopped {
        states[down] = .evaluating
        active += 1
        actions.append(.evaluate(down))
      }
    }
    return actions + dispatch()
  }

  private mutating func dispatch() -> [Action] {
    var actions: [Action] = []
    while !stopped, let head = queue.peek, cpus[head] <= freeSlots {
      _ = queue.pop()
      freeSlots -= cpus[head]
      states[head] = .running
      active += 1
      actions.append(.execute(head))
    }
    return actions
  }

  private mutating func skipDownstream(of index: Int) {
    var stack = graph.downstream[index]
    while let next = stack.popLast() {
      if states[next] == .waiting {
        states[next] = .skipped
        stack.append(contentsOf: graph.downstream[next])
      }
    }
  }
}

extension MinHeap {
  var peek: Int? { isEmpty ? nil : first }
}
