import FairflowBase
import FairflowCore
import Testing

@Suite struct LockFileTests {
  static func entry(_ name: String) -> LockEntry {
    LockEntry(
      stage: name, fingerprint: Digest.of(name), command: "run \"\(name)\"\n",
      params: [("lr", .double(0.001)), ("epochs", .int(30))],
      env: [("TOKEN", SecretNames.redacted), ("MODE", "fast")],
      deps: [
        PathRecord(path: "b.csv", digest: Digest.of("b"), size: 2),
        PathRecord(path: "a.csv", digest: Digest.of("a"), size: 1),
      ],
      outs: [
        PathRecord(path: "model", digest: Digest.of("m"), size: 10, kind: .directory, files: 3)
      ],
      metrics: [("m.json", .map([("auc", .double(0.98)), ("n", .int(7))]))],
      run: "20261122T150102.123Z-3f2a")
  }

  static func sample() -> LockFile {
    LockFile(entries: ["zeta": entry("zeta"), "alpha@seed=1": entry("alpha@seed=1")])
  }

  @Test func encodingIsSortedAndExact() {
    let a = Digest.of("a").hex, b = Digest.of("b").hex, m = Digest.of("m").hex
    func block(_ name: String) -> String {
      """
        "\(name)":
          fingerprint: \(Digest.of(name).hex)
          cmd: "run \\"\(name)\\"\\n"
          params: {"epochs":30,"lr":0.001}
          env: {"MODE":"fast","TOKEN":"<redacted>"}
          deps:
            - {"digest":"\(a)","path":"a.csv","size":1,"type":"file"}
            - {"digest":"\(b)","path":"b.csv","size":2,"type":"file"}
          outs:
            - {"digest":"\(m)","files":3,"path":"model","size":10,"type":"directory"}
          metrics: {"m.json":{"auc":0.98,"n":7}}
          run: "20261122T150102.123Z-3f2a"

      """
    }
    #expect(
      Self.sample().encoded(pipelineFile: "pipelines/p.yaml")
        == "# fairflow lock file for pipelines/p.yaml — generated, commit it, do not edit\n"
        + "schema: 1\nhash: sha256\nstages:\n" + block("alpha@seed=1") + block("zeta"))
  }

  @Test func encodingDoesNotDependOnInsertionOrder() {
    var forward = LockFile(), backward = LockFile()
    let names = ["c", "a", "b@x=1", "b"]
    for name in names { forward.entries[name] = Self.entry(name) }
    for name in names.reversed() { backward.entries[name] = Self.entry(name) }
    #expect(forward.encoded(pipelineFile: "p") == backward.encoded(pipelineFile: "p"))
  }

  @Test func emptyLockFile() throws {
    let text = LockFile().encoded(pipelineFile: "p.yaml")
    #expect(text.hasSuffix("schema: 1\nhash: sha256\nstages: {}\n"))
    #expect(try LockFile.decode(text, file: "p.lock").entries.isEmpty)
    #expect(try LockFile.decode("", file: "p.lock").entries.isEmpty)
  }

  @Test func roundTripsThroughDecode() throws {
    let text = Self.sample().encoded(pipelineFile: "pipelines/p.yaml")
    let decoded = try LockFile.decode(text, file: "pipelines/p.lock")
    #expect(decoded.encoded(pipelineFile: "pipelines/p.yaml") == text)
    let zeta = try #require(decoded.entries["zeta"])
    #expect(zeta.stage == "zeta")
    #expect(zeta.fingerprint == Digest.of("zeta"))
    #expect(zeta.command == "run \"zeta\"\n")
    #expect(zeta.params.map(\.name) == ["epochs", "lr"])
    #expect(zeta.params.map(\.value) == [.int(30), .double(0.001)])
    #expect(zeta.env.map { "\($0.name)=\($0.value)" } == ["MODE=fast", "TOKEN=<redacted>"])
    #expect(zeta.deps.map(\.path) == ["a.csv", "b.csv"])
    #expect(zeta.outs == [Self.entry("zeta").outs[0]])
    #expect(zeta.metrics.map(\.path) == ["m.json"])
    #expect(zeta.run == "20261122T150102.123Z-3f2a")
  }

  /// libyaml rejects DEL, C1 controls and U+FFFE/U+FFFF and reads NEL, LS and PS as line breaks;
  /// a command, parameter, variable or metric holding one must still read back exactly.
  @Test(arguments: [
    "\u{7f}", "\u{85}", "\u{9f}", "\u{2028}", "\u{2029}", "\u{fffe}", "\u{ffff}", "\u{1}\t\r",
    "é😀\u{a0}\u{feff}",
  ])
  func charactersYAMLCannotCarryRawRoundTrip(_ special: String) throws {
    let text = "a\(special)b"
    var lock = LockFile()
    lock.entries["s@k=\(text)"] = LockEntry(
      stage: "s@k=\(text)", fingerprint: Digest.of("s"), command: text,
      params: [(text, .string(text))], env: [("MODE", text)], deps: [], outs: [],
      metrics: [("m.json", .map([("note", .string(text))]))], run: "r")
    let encoded = lock.encoded(pipelineFile: "pipelines/p.yaml")
    let entry = try #require(
      try LockFile.decode(encoded, file: "p.lock").entries["s@k=\(text)"])
    #expect(entry.command == text)
    #expect(entry.params.map(\.name) == [text])
    #expect(entry.params.map(\.value) == [.string(text)])
    #expect(entry.env.map(\.value) == [text])
    #expect(entry.metrics.map(\.value) == [.map([("note", .string(text))])])
  }

  @Test func anotherSchemaOrHashIsRejected() {
    let expected = """
      error: x.lock has an unsupported schema or hash algorithm (expected schema 1, sha256)
      hint: it was written by a different fairflow version; delete it to re-record state
      """
    #expect(
      errorText { _ = try LockFile.decode("schema: 2\nhash: sha256\nstages: {}\n", file: "x.lock") }
        == expected)
    #expect(
      errorText { _ = try LockFile.decode("schema: 1\nhash: md5\nstages: {}\n", file: "x.lock") }
        == expected)
    #expect(
      errorText { _ = try LockFile.decode("hash: sha256\nstages: {}\n", file: "x.lock") }
        == expected)
  }

  @Test func damagedEntriesAreRejected() {
    #expect(
      errorText { _ = try LockFile.decode("- a\n- b\n", file: "x.lock") } == """
        error: x.lock is not a fairflow lock file
        hint: delete it to start from scratch
        """)
    let badFingerprint =
      "schema: 1\nhash: sha256\nstages:\n  s: {fingerprint: xyz, cmd: c, run: r}\n"
    #expect(
      errorText { _ = try LockFile.decode(badFingerprint, file: "x.lock") } == """
        error: x.lock: malformed entry for stage 's'
        hint: delete the lock file to re-record state
        """)
    let fp = Digest.of("s").hex
    let badRecord = """
      schema: 1
      hash: sha256
      stages:
        s:
          fingerprint: \(fp)
          cmd: c
          run: r
          deps:
            - {"path":"a","digest":"\(fp)","size":1,"type":"socket"}
      """
    #expect(
      errorText { _ = try LockFile.decode(badRecord, file: "x.lock") } == """
        error: x.lock: malformed path record in stage 's'
        hint: delete the lock file to re-record state
        """)
  }

  @Test func secretNamesAreRecognised() {
    #expect(SecretNames.isSecret("API_TOKEN"))
    #expect(SecretNames.isSecret("db_password"))
    #expect(SecretNames.isSecret("AWS_SECRET_ACCESS_KEY"))
    #expect(!SecretNames.isSecret("MODE"))
    #expect(!SecretNames.isSecret("PATH"))
  }
}
