import FairflowBase
import FairflowCore
import FairflowRemote
import FairflowStore
import FairflowTesting
import Foundation
import Testing

/// The remote layer's pure parts: netrc, credentials, fairflow.yaml, object streams, safety of
/// names that come from a remote.
@Suite struct RemoteUnitTests {
  @Test func netrcMatchesCurlsReading() {
    let netrc = Netrc(
      """
      machine dav.example.org login ada password "pa ss\\"word"
      macdef init
        cd /tmp
        put file

      machine other.example.org
        login bob
        password hunter2
      default login anonymous password guest
      """)
    #expect(netrc.credentials(for: "DAV.example.org")! == ("ada", "pa ss\"word"))
    #expect(netrc.credentials(for: "other.example.org")! == ("bob", "hunter2"))
    #expect(netrc.credentials(for: "elsewhere")! == ("anonymous", "guest"))
    #expect(Netrc("machine a login x").credentials(for: "a") == nil)
  }

  @Test func credentialsComeFromTheEnvironmentFirst() throws {
    let token = RemoteCredentials.resolve(
      remote: "my-team", host: "h",
      environment: ["FAIRFLOW_REMOTE_MY_TEAM_TOKEN": "t0k", "NETRC": "/nonexistent"])
    #expect(token.header == "Bearer t0k")
    #expect(token.source == "FAIRFLOW_REMOTE_MY_TEAM_TOKEN")
    let basic = RemoteCredentials.resolve(
      remote: "x", host: "h",
      environment: ["FAIRFLOW_REMOTE_X_USER": "ada", "FAIRFLOW_REMOTE_X_PASSWORD": "pw"])
    #expect(basic.header == "Basic " + Data("ada:pw".utf8).base64EncodedString())
    #expect(!basic.source.contains("pw"))
    let none = RemoteCredentials.resolve(
      remote: "x", host: "h", environment: ["NETRC": "/nonexistent"])
    #expect(none.header == nil)
  }

  @Test func configurationRoundTripsAndRefusesSecrets() throws {
    let config = WorkspaceConfig(
      remotes: [
        .init(name: "team", url: "/eos/cache"),
        .init(
          name: "cern-box", url: "https://dav.example.org/c", jobs: 16, timeout: 30, retries: 3),
      ], defaultRemote: "cern-box")
    #expect(try WorkspaceConfig.decode(config.encoded(), file: "fairflow.yaml") == config)
    #expect(throws: PipelineError.self) {
      try WorkspaceConfig.decode("remotes:\n  x: {url: \"https://u:p@h/c\"}\n", file: "f")
    }
    let error = #expect(throws: PipelineError.self) {
      try WorkspaceConfig.decode("remotes:\n  x: {url: /a}\ndefault-remote: y\n", file: "f")
    }
    #expect(error?.description.contains("f:3:17") == true, "\(String(describing: error))")
    #expect(!WorkspaceConfig.isValidName("a b") && !WorkspaceConfig.isValidName("-x"))
  }

  @Test func aCorruptLocalObjectIsNeverCompletelyRead() throws {
    let ws = try TemporaryWorkspace("remote-source")
    defer { ws.destroy() }
    let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    try Data(bytes).write(to: URL(fileURLWithPath: ws.path("object")))
    let digest = Digest.of(bytes)
    var received: [UInt8] = []
    try ObjectSource(path: ws.path("object"), digest: digest, size: bytes.count, label: "x")
      .read { received += $0 }
    #expect(received == bytes)
    var damaged = bytes
    damaged[damaged.count - 1] ^= 1
    try Data(damaged).write(to: URL(fileURLWithPath: ws.path("object")))
    var sent = 0
    #expect(throws: RemoteError.self) {
      try ObjectSource(path: ws.path("object"), digest: digest, size: bytes.count, label: "x")
        .read { sent += $0.count }
    }
    #expect(sent < bytes.count, "the last chunk is withheld until the digest is checked")
  }

  @Test func aDownloadIsVerifiedBeforeItEntersTheStore() throws {
    let ws = try TemporaryWorkspace("remote-sink")
    defer { ws.destroy() }
    let store = ObjectStore(workspace: ws.root)
    let good = Array("hello, remote\n".utf8)
    // An interrupted download left 5 bytes: the next one hashes them again and continues.
    try FileManager.default.createDirectory(
      atPath: ws.path("cache/tmp/remote"), withIntermediateDirectories: true)
    try Data(good[0..<5]).write(
      to: URL(fileURLWithPath: ws.path("cache/tmp/remote/\(Digest.of(good).hex).part")))
    let resumed = try ObjectSink(digest: Digest.of(good), directory: ws.path("cache/tmp/remote"))
    #expect(resumed.count == 5)
    try resumed.write(Array(good[5...]))
    #expect(try resumed.finish(into: store, remote: "r", key: "k", label: "l") == good.count)
    #expect(try FileIO.read(store.path(of: Digest.of(good))) == good)
    let bad = try ObjectSink(
      digest: Digest.of(Array("other".utf8)), directory: ws.path("cache/tmp/bad"))
    try bad.write(good)
    #expect(throws: RemoteError.self) {
      try bad.finish(into: store, remote: "r", key: "k", label: "l")
    }
    #expect(!store.contains(Digest.of(Array("other".utf8))))
    #expect((try FileManager.default.contentsOfDirectory(atPath: ws.path("cache/tmp/bad"))).isEmpty)
  }

  @Test func namesFromARemoteStayInsideTheWorkspace() {
    #expect(CacheTransfer.isSafe("models/m"))
    for path in ["../x", "/etc/passwd", "cache/objects/ab/cd", "cache", "a/../../b", "a//b", ""] {
      #expect(!CacheTransfer.isSafe(path), "\(path)")
    }
  }
}
