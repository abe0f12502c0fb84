import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting
import Foundation
import Testing

@Suite struct TamperTests {
  @Test func inPlaceWriteByOrdinaryUserIsRefused() async throws {
    let h = try EngineHarness("readonly", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    try await h.run()
    let target = h.ws.path("out/b.txt")
    // As root, drop to an unprivileged user for the write attempt; otherwise try directly.
    let command =
      getuid() == 0
      ? [
        "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c",
        "echo x >> \(target)",
      ]
      : ["/bin/sh", "-c", "echo x >> \(target)"]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus != 0)
    #expect(try h.ws.read("out/b.txt") == "one\none\n2\n")
    #expect(try CacheMaintenance.verify(h.workspace).isClean)
  }

  @Test func inPlaceWriteThroughHardLinkIsDetectedAndNeverRestored() async throws {
    let h = try EngineHarness("rootwrite", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "one\n")
    try await h.run()
    // An in-place append (what root can do despite the read-only mode) alters the shared inode.
    try #require(getuid() == 0, "only root can write through the read-only mode")
    let handle = try #require(FileHandle(forUpdatingAtPath: h.ws.path("out/b.txt")))
    handle.seekToEndOfFile()
    handle.write(Data("tampered\n".utf8))
    try handle.close()
    let report = try CacheMaintenance.verify(h.workspace)
    #expect(report.corrupt.count == 1)
    #expect(try h.reasons("b") == ["output `out/b.txt` modified"])
    let summary = try await h.run()
    #expect(summary.executed.contains("b"))
    #expect(try h.ws.read("out/b.txt") == "one\none\n2\n")
    #expect(try CacheMaintenance.verify(h.workspace).isClean)
    #expect(FileManager.default.fileExists(atPath: h.ws.path("cache/quarantine")))
  }

  @Test func outputThroughSymlinkLeavingWorkspaceIsRefused() async throws {
    let outside = try TemporaryWorkspace("outside")
    defer { outside.destroy() }
    let h = try EngineHarness(
      "escape",
      pipeline: """
        stages:
          sneaky:
            cmd: echo pwned > link/file.txt
            outs: [link/file.txt]
        """)
    defer { h.ws.destroy() }
    try FileManager.default.createSymbolicLink(
      atPath: h.ws.path("link"), withDestinationPath: outside.root)
    let summary = try await h.run()
    let failure = try #require(summary.failures.first)
    #expect(failure.reason.contains("resolves outside the workspace through a symbolic link"))
    #expect(!outside.exists("file.txt"))
  }
}
