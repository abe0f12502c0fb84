import FairflowCore
import Testing

@Suite struct GraphTests {
  @Test func directoryEdgesRunBothWays() throws {
    let (pipeline, graph) = try graph(
      """
      stages:
        makedir:
          cmd: mkdir -p data && echo > data/a.txt
          outs: [data]
        readfile:
          cmd: cat data/a.txt > r.txt
          deps: [data/a.txt]
          outs: [r.txt]
        writefile:
          cmd: echo > models/m.bin
          outs: [models/m.bin]
        readdir:
          cmd: ls models > l.txt
          deps: [models]
          outs: [l.txt]
      """)
    func upstream(_ name: String) -> [String] {
      graph.upstream[pipeline.index(of: name)!].map { pipeline.stages[$0].name }
    }
    #expect(upstream("readfile") == ["makedir"])
    #expect(upstream("readdir") == ["writefile"])
    #expect(graph.owners["data"] == pipeline.index(of: "makedir"))
  }

  @Test func orderIsTopologicalAndStableAndClosureIncludesUpstream() throws {
    let (pipeline, graph) = try graph(
      """
      stages:
        late:
          cmd: cat b > c
          deps: [b]
          outs: [c]
        early:
          cmd: echo > a
          outs: [a]
        middle:
          cmd: cat a > b
          deps: [a]
          outs: [b]
        lone:
          cmd: echo > z
          outs: [z]
      """)
    #expect(graph.order.map { pipeline.stages[$0].name } == ["early", "middle", "late", "lone"])
    let closure = graph.closure(of: [pipeline.index(of: "middle")!])
    #expect(Set(closure.map { pipeline.stages[$0].name }) == ["early", "middle"])
  }
}
