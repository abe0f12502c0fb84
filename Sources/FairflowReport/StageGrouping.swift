package import FairflowCore

/// The pipeline's stages folded by template: the ten cells `train@seed=1` … `train@seed=10` of
/// one `matrix:` stage are one group ("train ×10"), every other stage a group of its own. The
/// report draws and tabulates groups, not cells, so a 40-stage study reads as its 13 steps.
///
/// Groups keep declaration order (of each template's first cell); `edges` are the stage graph's
/// edges between groups, without duplicates or self-loops, sorted.
package struct StageGrouping: Sendable {
  /// One template and its cells.
  package struct Group: Sendable, Equatable {
    /// The template's name (`train`).
    package var name: String
    /// Indices of its stages in the pipeline, in declaration order.
    package var members: [Int]
    /// Declared with `matrix:` (even a one-cell matrix).
    package var isMatrix: Bool

    /// "train ×10" for a matrix, the name otherwise.
    package var label: String { isMatrix ? "\(name) ×\(members.count)" : name }
  }

  /// A dependency between two groups: some stage of `to` depends on an output of `from`.
  package struct Edge: Sendable, Hashable, Comparable {
    package var from: Int
    package var to: Int
    package init(from: Int, to: Int) {
      self.from = from
      self.to = to
    }
    package static func < (a: Edge, b: Edge) -> Bool { (a.from, a.to) < (b.from, b.to) }
  }

  package var groups: [Group]
  /// The group of each stage index.
  package var groupOfStage: [Int]
  package var edges: [Edge]

  package init(_ pipeline: Pipeline, graph: Graph) {
    var groups: [Group] = []
    var byName: [String: Int] = [:]
    var groupOfStage: [Int] = []
    for (index, stage) in pipeline.stages.enumerated() {
      let group: Int
      if let existing = byName[stage.template] {
        group = existing
        groups[group].members.append(index)
      } else {
        group = groups.count
        byName[stage.template] = group
        groups.append(
          Group(name: stage.template, members: [index], isMatrix: !stage.matrix.isEmpty))
      }
      groupOfStage.append(group)
    }
    var edges = Set<Edge>()
    for (stage, upstream) in graph.upstream.enumerated() {
      for producer in upstream where groupOfStage[producer] != groupOfStage[stage] {
        edges.insert(Edge(from: groupOfStage[producer], to: groupOfStage[stage]))
      }
    }
    self.groups = groups
    self.groupOfStage = groupOfStage
    self.edges = edges.sorted()
  }
}
