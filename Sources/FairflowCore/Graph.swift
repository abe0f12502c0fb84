internal import FairflowBase
/// The dependency graph of a pipeline: an edge runs from the stage that owns an output to every
/// stage that depends on that path, on a directory containing it, or on a file inside it.
///
/// Validation (named errors, DVC-style): one owner per output path, no output inside another
/// stage's output, no cycles (the cycle is printed). Each error points at the declaration to fix:
/// the later of two clashing outputs, or the `deps:` entry of the cycle's first-declared stage
/// that closes it (for a matrix cell, the entry of its template). `order` is a topological order
/// that keeps declaration order among independent stages, so runs and listings are stable.
public struct Graph: Sendable {
  /// Upstream stage indices of each stage (sorted, unique).
  public let upstream: [[Int]]
  /// Downstream stage indices of each stage (sorted, unique).
  public let downstream: [[Int]]
  /// A stable topological order of all stages.
  public let order: [Int]
  /// Output path → owning stage index.
  public let owners: [String: Int]

  public init(_ pipeline: Pipeline) throws(GraphError) {
    let stages = pipeline.stages
    /// An error pointing at `location` (a declaration in the pipeline file), with its line.
    func failure(_ kind: GraphError.Kind, at location: SourceLocation?) -> GraphError {
      GraphError(
        kind, file: pipeline.file, at: location, sourceLine: location.flatMap(pipeline.line(at:)))
    }
    var owners: [String: Int] = [:]
    owners.reserveCapacity(stages.count * 2)
    for (index, stage) in stages.enumerated() {
      for (position, output) in stage.outputs.enumerated() {
        if let other = owners[output.path] {
          throw failure(
            .duplicateOutput(path: output.path, stages: [stages[other].name, stage.name]),
            at: stage.outputLocations[safe: position])
        }
        owners[output.path] = index
      }
    }
    let sortedOutputs = owners.keys.sorted()
    // Overlap check: after sorting, a path inside another output follows it directly or
    // after other paths inside it; checking each output's ancestors is exact and O(depth).
    for path in sortedOutputs {
      var ancestor = Substring(path)
      while let slash = ancestor.lastIndex(of: "/") {
        ancestor = ancestor[..<slash]
        if let outer = owners[String(ancestor)] {
          let inner = owners[path]!
          throw failure(
            .overlappingOutputs(
              outer: String(ancestor), outerStage: stages[outer].name, inner: path,
              innerStage: stages[inner].name),
            at: Graph.laterDeclaration(
              of: [(outer, String(ancestor)), (inner, path)], in: stages))
        }
      }
    }
    var upstream = [[Int]](repeating: [], count: stages.count)
    for (index, stage) in stages.enumerated() {
      var producers = Set<Int>()
      for dep in stage.deps {
        Graph.addProducers(of: dep, owners: owners, sortedOutputs: sortedOutputs, to: &producers)
      }
      producers.remove(index)
      upstream[index] = producers.sorted()
      for (position, dep) in stage.deps.enumerated() {
        if let output = stage.outputs.first(where: {
          WorkspacePath.isSameOrInside(dep, $0.path) || WorkspacePath.isSameOrInside($0.path, dep)
        }) {
          throw failure(
            .dependsOnOwnOutput(stage: stage.name, path: output.path),
            at: stage.depLocations[safe: position])
        }
      }
    }
    var downstream = [[Int]](repeating: [], count: stages.count)
    for (index, ups) in upstream.enumerated() { for up in ups { downstream[up].append(index) } }
    self.upstream = upstream
    self.downstream = downstream
    self.owners = owners
    switch Graph.topologicalOrder(upstream: upstream, downstream: downstream) {
    case .success(let order): self.order = order
    case .failure(let cycle):
      // Point at the dependency that closes the cycle: the first stage's entry for a path that
      // the last stage produces.
      let first = stages[cycle.stages[0]], last = cycle.stages[cycle.stages.count - 1]
      let closing = first.deps.firstIndex {
        var producers = Set<Int>()
        Graph.addProducers(of: $0, owners: owners, sortedOutputs: sortedOutputs, to: &producers)
        return producers.contains(last)
      }
      throw failure(
        .cycle((cycle.stages + [cycle.stages[0]]).map { stages[$0].name }),
        at: closing.flatMap { first.depLocations[safe: $0] })
    }
  }

  /// Adds the stages owning `dep`, a directory output containing it, or outputs inside it.
  static func addProducers(
    of dep: String, owners: [String: Int], sortedOutputs: [String], to producers: inout Set<Int>
  ) {
    // The dependency itself, or a directory output containing it.
    var candidate = Substring(dep)
    while true {
      if let owner = owners[String(candidate)] { producers.insert(owner); break }
      guard let slash = candidate.lastIndex(of: "/") else { break }
      candidate = candidate[..<slash]
    }
    // Outputs inside a dependency directory.
    let prefix = dep + "/"
    var position = Graph.lowerBound(of: prefix, in: sortedOutputs)
    while position < sortedOutputs.count, sortedOutputs[position].hasPrefix(prefix) {
      producers.insert(owners[sortedOutputs[position]]!)
      position += 1
    }
  }

  /// Where the later-declared of some (stage index, output path) pairs is declared.
  static func laterDeclaration(of outputs: [(stage: Int, path: String)], in stages: [Stage])
    -> SourceLocation?
  {
    let declared = outputs.compactMap { output in
      stages[output.stage].outputs.firstIndex { $0.path == output.path }.map {
        (stage: output.stage, position: $0)
      }
    }
    guard let later = declared.max(by: { ($0.stage, $0.position) < ($1.stage, $1.position) })
    else { return nil }
    return stages[later.stage].outputLocations[safe: later.position]
  }

  /// Rebuilds a graph from a snapshot (edges already validated when it was first derived).
  init(pipeline: Pipeline, upstream: [[Int]], order: [Int]) {
    var downstream = [[Int]](repeating: [], count: upstream.count)
    for (index, ups) in upstream.enumerated() { for up in ups { downstream[up].append(index) } }
    var owners: [String: Int] = [:]
    owners.reserveCapacity(pipeline.stages.count)
    // By index: a `for stage in stages` loop copies (retains and releases) every stage.
    for index in pipeline.stages.indices {
      for output in pipeline.stages[index].outputs { owners[output.path] = index }
    }
    self.upstream = upstream
    self.downstream = downstream
    self.order = order
    self.owners = owners
  }

  static func lowerBound(of key: String, in sorted: [String]) -> Int {
    var low = 0, high = sorted.count
    while low < high {
      let mid = (low + high) / 2
      if sorted[mid] < key { low = mid + 1 } else { high = mid }
    }
    return low
  }

  /// Stages that depend on each other in a circle, in data-flow order, first-declared first.
  struct Cycle: Error {
    var stages: [Int]
  }

  /// Kahn's algorithm with a min-heap on declaration index; on a cycle, walks it for the message.
  static func topologicalOrder(upstream: [[Int]], downstream: [[Int]]) -> Result<[Int], Cycle> {
    var remaining = upstream.map(\.count)
    var heap = MinHeap()
    for index in remaining.indices where remaining[index] == 0 { heap.push(index) }
    var order: [Int] = []
    order.reserveCapacity(upstream.count)
    while let next = heap.pop() {
      order.append(next)
      for down in downstream[next] {
        remaining[down] -= 1
        if remaining[down] == 0 { heap.push(down) }
      }
    }
    if order.count == upstream.count { return .success(order) }
    // Every stage left has an unfinished upstream; follow those edges until one repeats.
    var current = remaining.firstIndex { $0 > 0 }!
    var seenAt: [Int: Int] = [:]
    var path: [Int] = []
    while seenAt[current] == nil {
      seenAt[current] = path.count
      path.append(current)
      current = upstream[current].first { remaining[$0] > 0 }!
    }
    // Data-flow direction, starting from the first-declared stage of the cycle.
    var cycle = Array(path[seenAt[current]!...].reversed())
    let pivot = cycle.indices.min { cycle[$0] < cycle[$1] }!
    cycle = Array(cycle[pivot...] + cycle[..<pivot])
    return .failure(Cycle(stages: cycle))
  }

  /// The given stages and everything upstream of them.
  public func closure(of targets: [Int]) -> Set<Int> {
    var result = Set<Int>()
    var stack = targets
    while let next = stack.popLast() {
      if result.insert(next).inserted { stack.append(contentsOf: upstream[next]) }
    }
    return result
  }
}

/// A binary min-heap of stage indices (stable ready-queue ordering by declaration index).
struct MinHeap {
  private var items: [Int] = []
  var isEmpty: Bool { items.isEmpty }
  var count: Int { items.count }
  var first: Int? { items.first }

  mutating func push(_ value: Int) {
    items.append(value)
    var child = items.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      if items[parent] <= items[child] { break }
      items.swapAt(parent, child)
      child = parent
    }
  }

  mutating func pop() -> Int? {
    guard !items.isEmpty else { return nil }
    let top = items[0]
    let last = items.removeLast()
    if !items.isEmpty {
      items[0] = last
      var parent = 0
      while true {
        let left = 2 * parent + 1, right = left + 1
        var smallest = parent
        if left < items.count, items[left] < items[smallest] { smallest = left }
        if right < items.count, items[right] < items[smallest] { smallest = right }
        if smallest == parent { break }
        items.swapAt(parent, smallest)
        parent = smallest
      }
    }
    return top
  }
}

extension Array {
  /// The element at `index`, or nil when it is out of range.
  fileprivate subscript(safe index: Int) -> Element? {
    indices.contains(index) ? self[index] : nil
  }
}
