import FairflowBase
import FairflowCore
import FairflowStore
import FairflowTesting
import Foundation
import Testing

@Suite struct StateFileTests {
  @Test func atomicWriteReplacesContentAndLeavesNoTemporaries() throws {
    let ws = try TemporaryWorkspace("atomic")
    defer { ws.destroy() }
    try FileIO.writeAtomically("first", to: ws.path("state/file"))
    try FileIO.writeAtomically("second", to: ws.path("state/file"))
    #expect(try ws.read("state/file") == "second")
    #expect(try FileIO.list(ws.path("state")) == ["file"])
  }

  @Test func readReturnsWholeFilesOfAnySize() throws {
    let ws = try TemporaryWorkspace("read")
    defer { ws.destroy() }
    let large = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    try FileIO.writeAtomically(large, to: ws.path("large"))
    try FileIO.writeAtomically([UInt8](), to: ws.path("empty"))
    #expect(try FileIO.read(ws.path("large")) == large)
    #expect(try FileIO.read(ws.path("empty")) == [])
    // A file whose size stat does not know is read to its end all the same.
    #expect(try FileIO.readText("/proc/self/status").contains("Pid:"))
  }

  @Test func statCacheTrustsOnlyUnchangedNonRacyFiles() throws {
    let ws = try TemporaryWorkspace("statcache")
    defer { ws.destroy() }
    try ws.write("data.txt", "abc")
    let old = Date(timeIntervalSinceNow: -60)
    try FileManager.default.setAttributes(
      [.modificationDate: old], ofItemAtPath: ws.path("data.txt"))
    let cache = StatCache(file: ws.path("cache/state/stat-cache"))
    let stat = try #require(try FileIO.stat(ws.path("data.txt")))
    let digest = try cache.digestOfFile("data.txt", root: ws.root, stat: stat)
    #expect(cache.digest(for: stat) == digest)
    try cache.save()

    let reloaded = StatCache(file: ws.path("cache/state/stat-cache"))
    #expect(reloaded.digest(for: stat) == digest)
    // Any metadata change invalidates the entry.
    var changed = stat
    changed.size += 1
    #expect(reloaded.digest(for: changed) == nil)
    // A file modified in the same second it was hashed is racy and never trusted.
    try ws.write("fresh.txt", "new")
    let fresh = try #require(try FileIO.stat(ws.path("fresh.txt")))
    _ = try reloaded.digestOfFile("fresh.txt", root: ws.root, stat: fresh)
    #expect(reloaded.digest(for: fresh) == nil)
  }

  @Test func corruptStatCacheIsIgnored() throws {
    let ws = try TemporaryWorkspace("corrupt")
    defer { ws.destroy() }
    try ws.write("cache/state/stat-cache", "FFSTAT02garbage")
    let cache = StatCache(file: ws.path("cache/state/stat-cache"))
    try ws.write("x", "x")
    let stat = try #require(try FileIO.stat(ws.path("x")))
    #expect(cache.digest(for: stat) == nil)
  }

  @Test func fileHasherMatchesKnownVectorsAndHashesInParallel() throws {
    let ws = try TemporaryWorkspace("hash")
    defer { ws.destroy() }
    try ws.write("empty", "")
    try ws.write("abc", "abc")
    // A file larger than one 4 MiB read chunk.
    try Data(repeating: 0x61, count: 5 * 1024 * 1024 + 3).write(
      to: URL(fileURLWithPath: ws.path("big")))
    let results = try FileHasher.hash([ws.path("empty"), ws.path("abc"), ws.path("big")])
    #expect(
      results[0].digest.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      results[1].digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(results[2].size == 5 * 1024 * 1024 + 3)
    #expect(results[2].digest == Digest.of(Data(repeating: 0x61, count: 5 * 1024 * 1024 + 3)))
  }

  @Test func runCacheRoundTrip() throws {
    let ws = try TemporaryWorkspace("runcache")
    defer { ws.destroy() }
    let cache = RunCache(workspace: ws.root)
    let fingerprint = Digest.of("stage")
    let entry = RunCache.Entry(
      fingerprint: fingerprint, stage: "train", run: "r1",
      outs: [PathRecord(path: "m", digest: Digest.of("m"), size: 3, kind: .directory, files: 2)])
    try cache.record(entry)
    #expect(cache.entry(for: fingerprint) == entry)
    #expect(cache.entry(for: Digest.of("other")) == nil)
    #expect(try cache.allEntries() == [entry])
  }
}
