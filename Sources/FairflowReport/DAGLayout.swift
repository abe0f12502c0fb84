/// Where each node of a directed acyclic graph goes in a left-to-right layered drawing: the first
/// two steps of a Sugiyama layout, kept small.
///
/// 1. Layers by longest path: sources at layer 0, every other node one layer right of its
///    deepest predecessor, so every edge points right and a chain reads left to right.
/// 2. Order within a layer: declaration order first, then `sweeps` passes that alternate
///    direction, each sorting a layer by the mean position (barycentre) of its neighbours in the
///    layer just placed (predecessors going right, successors going left); nodes without such
///    neighbours keep their place, ties keep the current order. Crossings drop, and the same
///    graph always gives the same drawing.
///
/// A cycle cannot come from a validated pipeline, but folding matrix cells into groups could
/// make one (a cell of A feeding B feeding another cell of A); its nodes are then placed in
/// index order, ignoring the edges that close it.
package struct DAGLayout: Sendable, Equatable {
  /// The layer (column) of each node.
  package var layers: [Int]
  /// The nodes of each layer, top to bottom.
  package var columns: [[Int]]

  package init(nodeCount: Int, edges: [(from: Int, to: Int)], sweeps: Int = 4) {
    var predecessors = [[Int]](repeating: [], count: nodeCount)
    var successors = [[Int]](repeating: [], count: nodeCount)
    for edge in edges where edge.from != edge.to {
      predecessors[edge.to].append(edge.from)
      successors[edge.from].append(edge.to)
    }
    layers = Self.longestPathLayers(predecessors: predecessors, successors: successors)
    var columns = [[Int]](repeating: [], count: (layers.max() ?? -1) + 1)
    for node in 0..<nodeCount { columns[layers[node]].append(node) }
    for sweep in 0..<sweeps {
      let rightwards = sweep % 2 == 0
      let order =
        rightwards ? Array(columns.indices.dropFirst()) : columns.indices.dropLast().reversed()
      for layer in order {
        let neighbours = rightwards ? predecessors : successors
        let placed = rightwards ? columns[layer - 1] : columns[layer + 1]
        columns[layer] = Self.sorted(columns[layer], byBarycentreOf: neighbours, in: placed)
      }
    }
    self.columns = columns
  }

  /// The edges not implied by a longer path (the transitive reduction of a DAG): `a → c` goes
  /// when `a → b → … → c` exists, as Graphviz's `tred` does. Reachability is a bit set per node,
  /// filled in reverse layer order, so a 4,000-stage chain costs 2 MB. Edges on a cycle stay.
  package static func transitiveReduction(nodeCount: Int, edges: [(from: Int, to: Int)])
    -> [(from: Int, to: Int)]
  {
    let layout = DAGLayout(nodeCount: nodeCount, edges: edges, sweeps: 0)
    var successors = [[Int]](repeating: [], count: nodeCount)
    for edge in edges where edge.from != edge.to { successors[edge.from].append(edge.to) }
    let words = (nodeCount + 63) / 64
    var reach = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: nodeCount)
    func contains(_ set: [UInt64], _ node: Int) -> Bool {
      set[node / 64] & (1 << UInt64(node % 64)) != 0
    }
    for column in layout.columns.reversed() {
      for node in column {
        for next in successors[node] where layout.layers[next] > layout.layers[node] {
          reach[node][next / 64] |= 1 << UInt64(next % 64)
          for word in 0..<words { reach[node][word] |= reach[next][word] }
        }
      }
    }
    return edges.filter { edge in
      guard layout.layers[edge.to] > layout.layers[edge.from] else { return true }
      return !successors[edge.from].contains { other in
        other != edge.to && layout.layers[other] > layout.layers[edge.from]
          && contains(reach[other], edge.to)
      }
    }
  }

  /// Longest-path layering in a topological pass (Kahn); nodes left on a cycle are taken in
  /// index order with the layers of their already placed predecessors.
  static func longestPathLayers(predecessors: [[Int]], successors: [[Int]]) -> [Int] {
    let count = predecessors.count
    var layers = [Int](repeating: 0, count: count)
    var remaining = predecessors.map(\.count)
    var done = [Bool](repeating: false, count: count)
    var queue = (0..<count).filter { remaining[$0] == 0 }
    var position = 0
    var finished = 0
    while finished < count {
      if position == queue.count, let stuck = (0..<count).first(where: { !done[$0] }) {
        queue.append(stuck)  // only on a cycle
      }
      let node = queue[position]
      position += 1
      guard !done[node] else { continue }
      done[node] = true
      finished += 1
      layers[node] = predecessors[node].filter { done[$0] }.map { layers[$0] + 1 }.max() ?? 0
      for next in successors[node] where !done[next] {
        remaining[next] -= 1
        if remaining[next] == 0 { queue.append(next) }
      }
    }
    return layers
  }

  /// `nodes` sorted by the mean index of their `neighbours` within `placed`; nodes without any
  /// there keep their own index as the key, so they stay where they were.
  static func sorted(_ nodes: [Int], byBarycentreOf neighbours: [[Int]], in placed: [Int])
    -> [Int]
  {
    var position: [Int: Int] = [:]
    for (index, node) in placed.enumerated() { position[node] = index }
    let keyed = nodes.enumerated().map { (index, node) -> (key: Double, index: Int, node: Int) in
      let positions = neighbours[node].compactMap { position[$0] }
      let key =
        positions.isEmpty
        ? Double(index) * Double(max(placed.count, 1)) / Double(max(nodes.count, 1))
        : Double(positions.reduce(0, +)) / Double(positions.count)
      return (key, index, node)
    }
    return keyed.sorted { ($0.key, $0.index) < ($1.key, $1.index) }.map(\.node)
  }
}
