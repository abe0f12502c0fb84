import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting
import Foundation
import Testing

@Suite struct CachingTests {
  @Test func secondRunExecutesNothingAndLeafChangeRerunsDownstreamOnly() async throws {
    let h = try EngineHarness("leaf", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    let first = try await h.run()
    #expect(Set(first.executed) == ["a", "b", "c", "d"])
    #expect(h.ws.lines("runs.log").sorted() == ["a", "b", "c", "d"])

    let second = try await h.run()
    #expect(second.executed.isEmpty)
    #expect(second.results.allSatisfy { $0.result == .upToDate })
    #expect(h.ws.lines("runs.log").count == 4)

    try h.ws.write("input.txt", "two\n")
    #expect(try h.reasons("a") == ["dependency `input.txt` changed"])
    let third = try await h.run()
    #expect(Set(third.executed) == ["a", "b", "c", "d"])
    #expect(h.ws.lines("runs.log").count == 8)
    #expect(try h.ws.read("out/d/copy.txt") == "two\n")

    // Reverting restores everything from the run cache without executing anything.
    try h.ws.write("input.txt", "one\n")
    let reverted = try await h.run()
    #expect(reverted.executed.isEmpty)
    #expect(Set(reverted.restored) == ["a", "b", "c", "d"])
    #expect(h.ws.lines("runs.log").count == 8)
    #expect(try h.ws.read("out/a.txt") == "one\n")
    #expect(try h.ws.read("out/d/copy.txt") == "one\n")
  }

  @Test func deletedOutputsAreRestoredWithoutExecuting() async throws {
    let h = try EngineHarness("deleted", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    try await h.run()
    try h.ws.remove("out/c.txt")
    try h.ws.remove("out/d")
    #expect(try h.reasons("c") == ["output `out/c.txt` missing"])
    let summary = try await h.run()
    #expect(summary.executed.isEmpty)
    #expect(Set(summary.restored) == ["c", "d"])
    #expect(try h.ws.read("out/d/x.txt") == "x\n")
    #expect(h.ws.lines("runs.log").count == 4)
  }

  @Test func paramChangeRerunsOnlyStagesThatUseIt() async throws {
    let h = try EngineHarness("param", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    try await h.run()
    #expect(
      try h.status(["scale=3"]).rows.first { $0.stage == "b" }!.reasons.map(\.message).contains(
        "param `scale` 2→3"))
    let changed = try await h.run(["scale=3"])
    // b reruns; its output changes so c reruns; a and d do not use the param.
    #expect(Set(changed.executed) == ["b", "c"])
    let unrelated = try await h.run(["scale=3", "unused=7"])
    #expect(unrelated.executed.isEmpty)
  }

  @Test func commandChangeRerunsThatStage() async throws {
    let h = try EngineHarness("cmd", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    try await h.run()
    try h.ws.write(
      "pipelines/main.yaml", chainPipeline.replacingOccurrences(of: "wc -c <", with: "wc -c  <"))
    #expect(try h.reasons("c") == ["command changed"])
    let summary = try await h.run()
    #expect(summary.executed == ["c"])
  }

  @Test func identicalOutputStopsPropagation() async throws {
    // a's output does not change when input.txt gains a trailing comment a ignores.
    let h = try EngineHarness(
      "cutoff",
      pipeline: """
        stages:
          a:
            cmd: echo a >> runs.log && head -n 1 input.txt > a.txt
            deps: [input.txt]
            outs: [a.txt]
          b:
            cmd: echo b >> runs.log && cat a.txt > b.txt
            deps: [a.txt]
            outs: [b.txt]
        """)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "x\n")
    try await h.run()
    try h.ws.write("input.txt", "x\n# comment\n")
    let summary = try await h.run()
    #expect(summary.executed == ["a"])
    #expect(summary.result("b") == .upToDate)
  }

  @Test func editedHardLinkedOutputLeavesStoreIntact() async throws {
    let h = try EngineHarness("edit", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    try await h.run()
    // An editor save replaces the file (new inode); the stored object must not change.
    try h.ws.write("out/b.txt", "edited by hand\n")
    #expect(try CacheMaintenance.verify(h.workspace).isClean)
    #expect(try h.reasons("b") == ["output `out/b.txt` modified"])
    let summary = try await h.run()
    #expect(summary.restored == ["b"])
    #expect(try h.ws.read("out/b.txt") == "one\none\n2\n")
  }

  @Test func uncachedAndPersistentOutputs() async throws {
    let h = try EngineHarness(
      "flags",
      pipeline: """
        stages:
          log:
            cmd: echo run >> history.txt && echo v > value.txt
            outs:
              - path: history.txt
                persist: true
              - path: value.txt
                cache: false
        """)
    defer { h.ws.destroy() }
    try await h.run()
    try await h.run(force: true)
    #expect(h.ws.lines("history.txt") == ["run", "run"])
    try h.ws.remove("value.txt")
    // Not restorable: an uncached output means the stage must run again.
    let summary = try await h.run()
    #expect(summary.executed == ["log"])
    #expect(try CacheMaintenance.verify(h.workspace).isClean)
  }
}
