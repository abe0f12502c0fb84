import FairflowBase
import FairflowCore
import Testing

@Suite struct GraphTests {
  func upstream(_ name: String, _ pipeline: Pipeline, _ graph: Graph) throws -> [String] {
    pipeline.names(graph.upstream[try #require(pipeline.index(of: name))])
  }

  func downstream(_ name: String, _ pipeline: Pipeline, _ graph: Graph) throws -> [String] {
    pipeline.names(graph.downstream[try #require(pipeline.index(of: name))])
  }

  @Test func fileDependencyInsideAnOutputDirectory() throws {
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
        sibling:
          cmd: cat database.txt > s.txt
          deps: [database.txt]
          outs: [s.txt]
      """)
    #expect(try upstream("readfile", pipeline, graph) == ["makedir"])
    #expect(try downstream("makedir", pipeline, graph) == ["readfile"])
    // `database.txt` shares a prefix with `data` but is not inside it.
    #expect(try upstream("sibling", pipeline, graph) == [])
    #expect(graph.owners["data"] == pipeline.index(of: "makedir"))
    #expect(graph.owners["data/a.txt"] == nil)
  }

  @Test func directoryDependencyOnOutputsInsideIt() throws {
    let (pipeline, graph) = try graph(
      """
      stages:
        one:
          cmd: echo > models/one.bin
          outs: [models/one.bin]
        two:
          cmd: echo > models/deep/two.bin
          outs: [models/deep/two.bin]
        other:
          cmd: echo > models-old/x
          outs: [models-old/x]
        readdir:
          cmd: ls -R models > l.txt
          deps: [models]
          outs: [l.txt]
      """)
    #expect(try upstream("readdir", pipeline, graph) == ["one", "two"])
    #expect(try downstream("two", pipeline, graph) == ["readdir"])
    #expect(try downstream("other", pipeline, graph) == [])
  }

  @Test func exactPathDependencyAndSourceFiles() throws {
    let (pipeline, graph) = try graph(
      """
      stages:
        a:
          cmd: cat in.txt > a.txt
          deps: [in.txt]
          outs: [a.txt]
        b:
          cmd: cat a.txt a.txt > b.txt
          deps: [a.txt, ./a.txt]
          outs: [b.txt]
      """)
    #expect(try upstream("a", pipeline, graph) == [])
    #expect(try upstream("b", pipeline, graph) == ["a"])
    #expect(graph.owners == ["a.txt": 0, "b.txt": 1])
  }

  @Test func orderIsTopologicalAndKeepsDeclarationOrderOtherwise() throws {
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
    #expect(pipeline.names(graph.order) == ["early", "middle", "late", "lone"])
    // Rebuilding gives the same order: runs and listings are stable.
    #expect(try Graph(pipeline).order == graph.order)
  }

  @Test func diamondRunsJoinAfterBothBranches() throws {
    let (pipeline, graph) = try graph(
      """
      stages:
        join:
          cmd: cat l r > j
          deps: [l, r]
          outs: [j]
        right:
          cmd: cat s > r
          deps: [s]
          outs: [r]
        left:
          cmd: cat s > l
          deps: [s]
          outs: [l]
        source:
          cmd: echo > s
          outs: [s]
      """)
    #expect(pipeline.names(graph.order) == ["source", "right", "left", "join"])
    #expect(try upstream("join", pipeline, graph) == ["right", "left"])
    #expect(try downstream("source", pipeline, graph) == ["right", "left"])
  }

  @Test func closureHoldsTargetsAndEverythingUpstream() throws {
    let (pipeline, graph) = try graph(
      """
      stages:
        a: {cmd: x, outs: [a]}
        b: {cmd: x, deps: [a], outs: [b]}
        c: {cmd: x, deps: [b], outs: [c]}
        d: {cmd: x, deps: [a], outs: [d]}
        e: {cmd: x, outs: [e]}
      """)
    func closure(_ names: String...) throws -> Set<String> {
      Set(pipeline.names(graph.closure(of: try names.map { try #require(pipeline.index(of: $0)) })))
    }
    #expect(try closure("c") == ["a", "b", "c"])
    #expect(try closure("c", "d") == ["a", "b", "c", "d"])
    #expect(try closure("a") == ["a"])
    #expect(try closure("e", "b") == ["a", "b", "e"])
    #expect(try closure() == [])
  }

  @Test func errorsAreNamed() throws {
    func kind(_ text: String) throws -> GraphError.Kind? {
      let pipeline = try expand(text)
      do {
        _ = try Graph(pipeline)
        return nil
      } catch {
        #expect(error.file == testFile)
        #expect(error.exitStatus == .invalidInput)
        return error.kind
      }
    }
    #expect(
      try kind(
        "stages:\n  a: {cmd: x, deps: [b], outs: [a]}\n  b: {cmd: x, deps: [a], outs: [b]}\n")
        == .cycle(["a", "b", "a"]))
    #expect(
      try kind("stages:\n  a: {cmd: x, outs: [o]}\n  b: {cmd: x, outs: [./o]}\n")
        == .duplicateOutput(path: "o", stages: ["a", "b"]))
    #expect(
      try kind("stages:\n  a: {cmd: x, outs: [d/e/f]}\n  b: {cmd: x, outs: [d]}\n")
        == .overlappingOutputs(outer: "d", outerStage: "b", inner: "d/e/f", innerStage: "a"))
    #expect(
      try kind("stages:\n  a: {cmd: x, deps: [o/x], outs: [o]}\n")
        == .dependsOnOwnOutput(stage: "a", path: "o"))
    #expect(try kind("stages:\n  a: {cmd: x, outs: [o]}\n  b: {cmd: x, outs: [o2]}\n") == nil)
  }

  /// The full text of the graph error `text` raises.
  func graphError(_ text: String) -> String? {
    errorText { _ = try graph(text) }
  }

  @Test func duplicateOutputPointsAtTheSecondDeclaration() throws {
    let text = """
      stages:
        a:
          cmd: echo a > out.txt
          outs: [out.txt]
        b:
          cmd: echo b > out.txt
          metrics:
            - log.json
            - out.txt
      """
    #expect(
      graphError(text) == """
        pipelines/test.yaml:9:9: error: output 'out.txt' is declared by more than one stage: 'a', 'b'
                  - out.txt
                    ^
        hint: each path is produced by exactly one stage
        """)
    do {
      _ = try graph(text)
    } catch let error as GraphError {
      #expect(error.location == SourceLocation(file: testFile, line: 9, column: 9))
      #expect(error.sourceLine == "      - out.txt")
      #expect(error.file == testFile)
      #expect(error.problem == "output 'out.txt' is declared by more than one stage: 'a', 'b'")
    }
  }

  @Test func overlappingOutputsPointAtTheLaterDeclaration() {
    // The inner path declared last...
    #expect(
      graphError(
        """
        stages:
          a:
            cmd: mkdir -p out && echo > out/x
            outs: [out]
          b:
            cmd: echo > out/a.txt
            outs: [b.txt, out/a.txt]
        """) == """
          pipelines/test.yaml:7:19: error: output 'out/a.txt' of stage 'b' lies inside output 'out' of stage 'a'
                  outs: [b.txt, out/a.txt]
                                ^
          hint: declare the directory or the files inside it, not both
          """)
    // ...or the directory declared last.
    #expect(
      graphError(
        """
        stages:
          a:
            cmd: echo > out/a.txt
            outs: [out/a.txt]
          b:
            cmd: mkdir -p out && echo > out/x
            outs:
              - path: out
                cache: false
        """) == """
          pipelines/test.yaml:8:15: error: output 'out/a.txt' of stage 'a' lies inside output 'out' of stage 'b'
                    - path: out
                            ^
          hint: declare the directory or the files inside it, not both
          """)
  }

  @Test func cyclePointsAtTheDependencyThatClosesIt() {
    #expect(
      graphError(
        """
        stages:
          a:
            cmd: cat in.txt c.txt > a.txt
            deps: [in.txt, c.txt]
            outs: [a.txt]
          b:
            cmd: cat a.txt > b.txt
            deps: [a.txt]
            outs: [b.txt]
          c:
            cmd: cat b.txt > c.txt
            deps: [b.txt]
            outs: [c.txt]
        """) == """
          pipelines/test.yaml:4:20: error: the stages form a cycle: a -> b -> c -> a
                  deps: [in.txt, c.txt]
                                 ^
          hint: a stage cannot depend, directly or through others, on its own outputs
          """)
  }

  @Test func dependencyOnOwnOutputPointsAtTheDependency() {
    #expect(
      graphError("stages:\n  a:\n    cmd: x\n    deps: [o/x]\n    outs: [o]\n") == """
        pipelines/test.yaml:4:12: error: stage 'a' depends on its own output 'o'
                deps: [o/x]
                       ^
        hint: a stage that updates a file in place declares it once, under 'outs' with 'persist: true'
        """)
  }

  @Test func matrixStagesPointAtTheirTemplate() {
    // Every cell declares the same path: the template's entry is the one to fix.
    #expect(
      graphError(
        """
        stages:
          train:
            matrix: {seed: [1, 2]}
            cmd: train --seed ${matrix.seed} > model.bin
            outs: [model.bin]
        """) == """
          pipelines/test.yaml:5:12: error: output 'model.bin' is declared by more than one stage: 'train@seed=1', 'train@seed=2'
                  outs: [model.bin]
                         ^
          hint: each path is produced by exactly one stage
          """)
    // A cycle through one cell closes at a dependency of the template.
    #expect(
      graphError(
        """
        stages:
          train:
            matrix: {seed: [1, 2]}
            cmd: train > m${matrix.seed}.bin
            deps:
              - data.csv
              - report.txt
            outs: ["m${matrix.seed}.bin"]
          report:
            cmd: cat m2.bin > report.txt
            deps: [m2.bin]
            outs: [report.txt]
        """) == """
          pipelines/test.yaml:7:9: error: the stages form a cycle: train@seed=2 -> report -> train@seed=2
                    - report.txt
                      ^
          hint: a stage cannot depend, directly or through others, on its own outputs
          """)
  }

  @Test func errorsWithoutADeclarationNameOnlyTheFile() {
    let error = GraphError(.unknownStage("bb", hint: "did you mean 'b'?"), file: testFile)
    #expect(error.location == nil)
    #expect(
      error.description == """
        pipelines/test.yaml: error: no stage named 'bb'
        hint: did you mean 'b'?
        """)
  }
}
