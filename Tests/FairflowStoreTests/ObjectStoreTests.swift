import FairflowBase
import FairflowCore
import FairflowStore
import FairflowTesting
import Foundation
import Testing

@Suite struct ObjectStoreTests {
  @Test func ingestMovesFileIntoStoreAndLeavesReadOnlyLink() throws {
    let ws = try TemporaryWorkspace("store")
    defer { ws.destroy() }
    try ws.write("out/a.txt", "hello")
    let store = ObjectStore(workspace: ws.root)
    let record = try store.ingest("out/a.txt", statCache: nil)
    #expect(record.digest.hex == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
    #expect(record.size == 5)
    let object = try #require(try FileIO.stat(store.path(of: record.digest)))
    let workspaceFile = try #require(try FileIO.stat(ws.path("out/a.txt")))
    #expect(object.mode == 0o444)
    #expect(workspaceFile.mode == 0o444)
    #expect(try String(contentsOfFile: store.path(of: record.digest), encoding: .utf8) == "hello")
  }

  @Test func identicalContentIsStoredOnce() throws {
    let ws = try TemporaryWorkspace("dedup")
    defer { ws.destroy() }
    try ws.write("a.txt", "same")
    try ws.write("b.txt", "same")
    let store = ObjectStore(workspace: ws.root)
    let a = try store.ingest("a.txt", statCache: nil)
    let b = try store.ingest("b.txt", statCache: nil)
    #expect(a.digest == b.digest)
    #expect(try store.allObjects() == [a.digest])
    #expect(try FileIO.stat(ws.path("a.txt"))?.inode == FileIO.stat(ws.path("b.txt"))?.inode)
  }

  @Test func directoryManifestRoundTripAndRestore() throws {
    let ws = try TemporaryWorkspace("dir")
    defer { ws.destroy() }
    try ws.write("model/weights.bin", "w")
    try ws.write("model/sub/config.json", "{}")
    let store = ObjectStore(workspace: ws.root)
    let record = try store.ingest("model", statCache: nil)
    #expect(record.kind == .directory)
    #expect(record.files == 2)
    let manifest = try store.manifest(record.digest)
    #expect(manifest.entries.map(\.path) == ["sub/config.json", "weights.bin"])
    #expect(manifest.digest == record.digest)
    #expect(store.canRestore(record))
    try FileIO.remove(ws.path("model"))
    try store.restore(record, statCache: nil)
    #expect(try ws.read("model/sub/config.json") == "{}")
    #expect(try ws.read("model/weights.bin") == "w")
  }

  @Test func persistentOutputsAreStoredAsDetachedCopies() throws {
    let ws = try TemporaryWorkspace("detached")
    defer { ws.destroy() }
    try ws.write("log.txt", "1\n")
    let store = ObjectStore(workspace: ws.root)
    let record = try store.ingest("log.txt", statCache: nil, detached: true)
    #expect(
      try FileIO.stat(ws.path("log.txt"))?.inode
        != FileIO.stat(store.path(of: record.digest))?.inode)
    #expect(try FileIO.stat(ws.path("log.txt"))?.mode == 0o644)
  }

  @Test func symlinkOutputsAreRejected() throws {
    let ws = try TemporaryWorkspace("symlink")
    defer { ws.destroy() }
    try ws.write("real.txt", "x")
    try FileManager.default.createSymbolicLink(
      atPath: ws.path("link.txt"), withDestinationPath: "real.txt")
    #expect(throws: StoreError.self) {
      try ObjectStore(workspace: ws.root).ingest("link.txt", statCache: nil)
    }
  }

  @Test func pathsEscapingThroughSymlinkedDirectoriesAreRejected() throws {
    let ws = try TemporaryWorkspace("escape")
    let outside = try TemporaryWorkspace("outside")
    defer {
      ws.destroy()
      outside.destroy()
    }
    try FileManager.default.createSymbolicLink(
      atPath: ws.path("data"), withDestinationPath: outside.root)
    let store = ObjectStore(workspace: ws.root)
    do {
      try store.ensureInside("data/x.txt")
      Issue.record("expected an error")
    } catch {
      #expect(
        error.message
          == "cannot use 'data/x.txt': it resolves outside the workspace through a symbolic link")
      #expect(error.exitStatus == .invalidInput)
    }
    try store.ensureInside("fine/x.txt")
  }
}
