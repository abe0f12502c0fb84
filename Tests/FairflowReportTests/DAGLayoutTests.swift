import FairflowCore
import FairflowReport
import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The pipeline graph: longest-path layers, stable ordering within layers, matrix cells folded
/// into one group, and a deterministic, well-formed SVG.
@Suite struct DAGLayoutTests {
  @Test func layersFollowTheLongestPath() {
    // 0 → 1 → 2 → 3 and a shortcut 0 → 3: node 3 sits after 2, not next to 1.
    let layout = DAGLayout(nodeCount: 4, edges: [(0, 1), (1, 2), (2, 3), (0, 3)])
    #expect(layout.layers == [0, 1, 2, 3])
    #expect(layout.columns == [[0], [1], [2], [3]])
  }

  @Test func diamondAndIndependentSources() {
    // 0 → {1, 2} → 3; 4 has no edges and is a source.
    let layout = DAGLayout(nodeCount: 5, edges: [(0, 1), (0, 2), (1, 3), (2, 3)])
    #expect(layout.layers == [0, 1, 1, 2, 0])
    #expect(layout.columns.map { Set($0) } == [[0, 4], [1, 2], [3]])
  }

  @Test func barycentreOrderingRemovesACrossing() {
    // Sources 0 (top) and 1 (bottom); 2 depends on 1, 3 on 0. Declaration order would put 2
    // above 3 and cross the edges; the sweep puts 3 (child of the top node) on top.
    let layout = DAGLayout(nodeCount: 4, edges: [(1, 2), (0, 3)])
    #expect(layout.columns == [[0, 1], [3, 2]])
  }

  @Test func transitiveReductionDropsImpliedEdgesOnly() {
    // 0 → 1 → 2 → 3 with shortcuts 0 → 2 and 0 → 3; 4 → 3 has no other path.
    let edges = [(0, 1), (1, 2), (2, 3), (0, 2), (0, 3), (4, 3)]
    let kept = DAGLayout.transitiveReduction(nodeCount: 5, edges: edges.map { ($0.0, $0.1) })
    #expect(kept.map { [$0.from, $0.to] } == [[0, 1], [1, 2], [2, 3], [4, 3]])
    // Wide enough for several bit-set words.
    let chain = (0..<199).map { (from: $0, to: $0 + 1) } + [(from: 0, to: 199)]
    #expect(DAGLayout.transitiveReduction(nodeCount: 200, edges: chain).count == 199)
  }

  @Test func aCycleStillGetsLayers() {
    let layout = DAGLayout(nodeCount: 3, edges: [(0, 1), (1, 2), (2, 1)])
    #expect(layout.layers.count == 3)
    #expect(layout.layers[0] == 0 && layout.layers[1] >= 1)
  }

  static let matrixPipeline = """
    stages:
      generate:
        cmd: make-data > data.txt
        outs: [data.txt]
      train:
        matrix: {seed: [1, 2, 3]}
        cmd: train ${matrix.seed} < data.txt > model-${matrix.seed}.txt
        deps: [data.txt]
        outs: ["model-${matrix.seed}.txt"]
      evaluate:
        matrix: {seed: [1, 2, 3]}
        cmd: evaluate model-${matrix.seed}.txt > metrics-${matrix.seed}.json
        deps: ["model-${matrix.seed}.txt", data.txt]
        metrics: ["metrics-${matrix.seed}.json"]
      aggregate:
        cmd: cat metrics-*.json > summary.json
        deps: [metrics-1.json, metrics-2.json, metrics-3.json]
        outs: [summary.json]
    """

  static func grouping() throws -> (Pipeline, StageGrouping) {
    let spec = try PipelineLoader.load(text: matrixPipeline, file: "pipelines/test.yaml")
    let pipeline = try PipelineExpander(registry: StageKindRegistry()).expand(spec, overrides: [])
    return (pipeline, StageGrouping(pipeline, graph: try Graph(pipeline)))
  }

  @Test func matrixCellsFoldIntoOneGroup() throws {
    let (pipeline, grouping) = try Self.grouping()
    #expect(pipeline.stages.count == 8)
    #expect(grouping.groups.map(\.label) == ["generate", "train ×3", "evaluate ×3", "aggregate"])
    #expect(grouping.groups.map(\.isMatrix) == [false, true, true, false])
    #expect(grouping.groupOfStage == [0, 1, 1, 1, 2, 2, 2, 3])
    // Cell edges collapse to one edge per pair of groups, sorted, without self-loops.
    #expect(
      grouping.edges.map { [$0.from, $0.to] } == [[0, 1], [0, 2], [1, 2], [2, 3]])
    let layout = DAGLayout(
      nodeCount: grouping.groups.count, edges: grouping.edges.map { ($0.from, $0.to) })
    #expect(layout.layers == [0, 1, 2, 3])
  }

  @Test func drawingIsDeterministicWellFormedAndHasOneNodePerGroup() throws {
    let (_, grouping) = try Self.grouping()
    let statuses: [StageStatus] = [.upToDate, .stale, .failed, .neverRun]
    let nodes = grouping.groups.enumerated().map { index, group in
      DAGDrawing.Node(
        name: group.name, label: group.label, detail: "3 <ok> & done",
        status: statuses[index])
    }
    let edges = grouping.edges.map { (from: $0.from, to: $0.to) }
    let svg = DAGDrawing(nodes: nodes, edges: edges).svg
    #expect(svg == DAGDrawing(nodes: nodes, edges: edges).svg)
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    let groups = collector.attributes.filter { $0["class"] == "node" }
    #expect(groups.map { $0["data-stage"] } == ["generate", "train", "evaluate", "aggregate"])
    #expect(
      groups.map { $0["data-status"] } == ["up-to-date", "stale", "failed", "never-run"])
    // generate → evaluate is implied by generate → train → evaluate: not drawn.
    #expect(collector.attributes.filter { $0["class"] == "edge" }.count == 3)
    #expect(svg.contains("3 &lt;ok&gt; &amp; done"))
  }

  final class Collector: NSObject, XMLParserDelegate {
    var attributes: [[String: String]] = []
    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes a: [String: String] = [:]
    ) {
      attributes.append(a)
    }
  }
}
