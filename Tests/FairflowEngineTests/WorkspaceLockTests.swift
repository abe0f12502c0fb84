import FairflowBase
import FairflowCore
import FairflowStore
import FairflowTesting
import Testing

@Suite struct WorkspaceLockTests {
  @Test func secondHolderIsRefusedWithHolderDetailsThenAllowedAfterRelease() throws {
    let ws = try TemporaryWorkspace("lock")
    defer { ws.destroy() }
    let first = WorkspaceLock(workspace: ws.root)
    try first.acquire(wait: false, startedAt: "2026-11-22T10:00:00Z") { _ in }
    let second = WorkspaceLock(workspace: ws.root)
    do {
      try second.acquire(wait: false, startedAt: "2026-11-22T10:00:01Z") { _ in }
      Issue.record("second acquire should fail")
    } catch let error as WorkspaceLock.Locked {
      #expect(error.exitStatus == .locked)
      #expect(error.holder?.pid == FileIO.processID)
      #expect(error.holder?.started == "2026-11-22T10:00:00Z")
      #expect(error.message.hasPrefix("the workspace is locked by another fairflow run (pid "))
    }
    first.release()
    try second.acquire(wait: false, startedAt: "2026-11-22T10:00:02Z") { _ in }
    #expect(second.brokenHolder == nil)
    second.release()
  }

  @Test func recordLeftByDeadHolderIsTakenOver() throws {
    let ws = try TemporaryWorkspace("stale")
    defer { ws.destroy() }
    // A killed run leaves its record but, holding no flock, no lock.
    try ws.write(
      "cache/workspace-lock", #"{"pid":999999,"host":"gone","started":"2026-01-01T00:00:00Z"}"#)
    let lock = WorkspaceLock(workspace: ws.root)
    try lock.acquire(wait: false, startedAt: "now") { _ in }
    #expect(lock.brokenHolder?.pid == 999999)
    lock.release()
  }
}
