import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowTesting
import Foundation
import Testing

@Suite struct ExecutorTests {
  @Test func stagesInheritOnlyStandardDescriptors() async throws {
    // A descriptor fairflow holds without close-on-exec (as a parent's pipe would be).
    let fd = open("/dev/null", O_RDONLY)
    #expect(fd > 2)
    defer { close(fd) }
    let h = try EngineHarness(
      "fds",
      pipeline: """
        stages:
          list:
            cmd: ls /proc/self/fd > fds.txt
            outs: [fds.txt]
        """)
    defer { h.ws.destroy() }
    let summary = try await h.run()
    #expect(summary.exitStatus == .success)
    // ls itself opens one descriptor to read /proc/self/fd.
    let fds = h.ws.lines("fds.txt").compactMap { Int($0) }.filter { $0 > 2 }
    #expect(fds.count <= 1, "inherited: \(fds)")
    #expect(!fds.contains(Int(fd)))
  }
}
