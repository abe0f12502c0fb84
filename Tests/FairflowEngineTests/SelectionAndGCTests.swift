import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting
import Foundation
import Testing

@Suite struct SelectionAndGCTests {
  @Test func stageSelectionRunsTargetAndItsUpstreamOnly() async throws {
    let h = try EngineHarness("select", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    let summary = try await h.run(targets: ["b"])
    #expect(summary.executed == ["a", "b"])
    #expect(!h.ws.exists("out/c.txt"))
    #expect(!h.ws.exists("out/d"))
    // The other stages are still recorded as never run; the selected ones are in the lock file.
    #expect(try h.reasons("c") == ["never run"])
    #expect(try h.reasons("b").isEmpty)
  }

  @Test func unknownStageSelectionSuggestsAName() async throws {
    let h = try EngineHarness("unknown", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    do {
      try await h.run(targets: ["bb"])
      Issue.record("expected an error")
    } catch let error as GraphError {
      #expect(error.message == "pipelines/main.yaml: error: no stage named 'bb'")
      #expect(error.hint == "did you mean 'b'?")
    }
  }

  @Test func alwaysRunStagesRunEveryTime() async throws {
    let h = try EngineHarness(
      "always",
      pipeline: """
        stages:
          clock:
            cmd: echo tick >> ticks.txt
            always_run: true
        """)
    defer { h.ws.destroy() }
    try await h.run()
    try await h.run()
    #expect(h.ws.lines("ticks.txt") == ["tick", "tick"])
  }

  @Test func garbageCollectionKeepsWhatLockFilesReference() async throws {
    let h = try EngineHarness("gc", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    try await h.run()
    try h.ws.write("input.txt", "two\n")
    try await h.run()
    let before = try ObjectStore(workspace: h.ws.root).allObjects().count
    let dry = try CacheMaintenance.collectGarbage(h.workspace, dryRun: true)
    #expect(dry.objects > 0)
    #expect(try ObjectStore(workspace: h.ws.root).allObjects().count == before)
    let removed = try CacheMaintenance.collectGarbage(h.workspace, dryRun: false)
    #expect(removed.objects == dry.objects)
    // c's output ("one\none\n2\n" and "two\ntwo\n2\n" both count 11 bytes) is still referenced,
    // so its old run-cache entry stays valid and is kept.
    #expect(removed.runEntries == 3)
    #expect(try CacheMaintenance.verify(h.workspace).isClean)
    // The current state is untouched: nothing to do, and deleted outputs still restore.
    try h.ws.remove("out/c.txt")
    let summary = try await h.run()
    #expect(summary.executed.isEmpty)
    #expect(summary.restored == ["c"])
    // The old state is gone: reverting now has to execute, except c whose entry survived.
    try h.ws.write("input.txt", "one\n")
    let reverted = try await h.run()
    #expect(Set(reverted.executed) == ["a", "b", "d"])
    #expect(reverted.restored == ["c"])
  }
}
