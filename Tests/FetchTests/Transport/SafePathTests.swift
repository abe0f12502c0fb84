import FairflowTesting
import Fetch
import Foundation
import Testing

@Suite struct SafePathTests {
  @Test(arguments: [
    "../x", "/etc/passwd", "a/../../b", "C:\\x", "c:x", "a\u{0}b", "a\\b", "", "a//b", "./a",
    "a/.", "a/", "~/x", "x\ny", "a/\u{7F}",
  ])
  func refuses(name: String) {
    #expect(throws: FetchError.unsafePath(name)) { try SafePath.normalise(name) }
  }

  @Test(arguments: ["ok/dir/file.txt", "hello.txt", "owner/repo-v1.zip", "a b.csv", "x..y/..z"])
  func accepts(name: String) throws {
    #expect(try SafePath.normalise(name) == name)
  }

  @Test func resolvesInsideAndRefusesLinksOut() throws {
    let ws = try TemporaryWorkspace("safepath")
    defer { ws.destroy() }
    let root = ws.path("dest")
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    #expect(try SafePath.resolve("a/b.txt", in: root).hasSuffix("/dest/a/b.txt"))
    try FileManager.default.createSymbolicLink(atPath: root + "/out", withDestinationPath: "/tmp")
    #expect(throws: FetchError.unsafePath("out/x")) { try SafePath.resolve("out/x", in: root) }
  }
}
