import FairflowCore
import Foundation
import Testing

@Suite struct LockFileAndSnapshotTests {
  static func sampleLock() -> LockFile {
    var lock = LockFile()
    for name in ["zeta", "alpha@seed=1"] {
      lock.entries[name] = LockEntry(
        stage: name, fingerprint: Digest.of(name), command: "run \"\(name)\"\n",
        params: [("epochs", .int(30)), ("lr", .double(0.001))],
        env: [("TOKEN", SecretNames.redacted)],
        deps: [
          PathRecord(path: "b.csv", digest: Digest.of("b"), size: 2),
          PathRecord(path: "a.csv", digest: Digest.of("a"), size: 1),
        ],
        outs: [
          PathRecord(path: "model", digest: Digest.of("m"), size: 10, kind: .directory, files: 3)
        ],
        metrics: [("m.json", .map([("auc", .double(0.98))]))], run: "20261122T150102.123Z-3f2a")
    }
    return lock
  }

  func same(_ a: LockFile, _ b: LockFile) -> Bool {
    a.encoded(pipelineFile: "p") == b.encoded(pipelineFile: "p")
  }

  @Test func lockFileRoundTripsAndIsSortedAndStable() throws {
    let lock = Self.sampleLock()
    let text = lock.encoded(pipelineFile: "pipelines/p.yaml")
    #expect(
      text.hasPrefix(
        "# fairflow lock file for pipelines/p.yaml — generated, commit it, do not edit\nschema: 1\nhash: sha256\nstages:\n  \"alpha@seed=1\":\n"
      ))
    // Records are sorted by path.
    let a = try #require(text.range(of: "\"path\":\"a.csv\"")),
      b = try #require(text.range(of: "\"path\":\"b.csv\""))
    #expect(a.lowerBound < b.lowerBound)
    let decoded = try LockFile.decode(text, file: "pipelines/p.lock")
    #expect(decoded.encoded(pipelineFile: "pipelines/p.yaml") == text)
    #expect(decoded.entries["zeta"]?.outs.first?.kind == .directory)
    #expect(decoded.entries["zeta"]?.command == "run \"zeta\"\n")
  }

  @Test func lockFileWithAnotherSchemaIsRejected() {
    #expect(throws: PipelineError.self) {
      try LockFile.decode("schema: 2\nhash: sha256\nstages: {}\n", file: "x.lock")
    }
    #expect(throws: PipelineError.self) {
      try LockFile.decode("schema: 1\nhash: md5\nstages: {}\n", file: "x.lock")
    }
  }

  @Test func lockSnapshotRoundTripsAndRejectsWrongKeysAndDamage() {
    let lock = Self.sampleLock()
    let key = Digest.of("k")
    let bytes = Snapshot.encode(lock, key: key)
    let decoded = Snapshot.decodeLock(bytes, key: key)
    #expect(decoded.map { same($0, lock) } == true)
    #expect(Snapshot.decodeLock(bytes, key: Digest.of("other")) == nil)
    #expect(Snapshot.decodeLock(Array(bytes.dropLast(5)), key: key) == nil)
    var random = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      var damaged = bytes
      let index = Int.random(in: 72..<damaged.count, using: &random)
      damaged[index] ^= UInt8.random(in: 1...255, using: &random)
      _ = Snapshot.decodeLock(damaged, key: key)  // must not crash; may or may not decode
    }
  }

  @Test func pipelineSnapshotRoundTrips() throws {
    let text = """
      params: {n: 2}
      stages:
        gen:
          matrix: {seed: [1, 2]}
          cmd: gen ${matrix.seed} ${params.n} > d${matrix.seed}
          outs:
            - d${matrix.seed}
          env: {K: v}
          resources: {cpus: 2, memory: 1G}
        join:
          cmd: cat d1 d2 > j
          deps: [d1, d2]
          outs:
            - {path: j, persist: true}
          metrics: [m.json]
          always_run: true
      """
    let (pipeline, graph) = try graph(text)
    let key = Digest.of("key")
    let (decoded, decodedGraph) = try #require(
      Snapshot.decodePipeline(Snapshot.encode(pipeline, graph: graph, key: key), key: key))
    #expect(decoded.stages.map(\.name) == pipeline.stages.map(\.name))
    for (a, b) in zip(decoded.stages, pipeline.stages) {
      #expect(
        Fingerprint.encoding(of: a, dependencyDigests: [:])
          == Fingerprint.encoding(of: b, dependencyDigests: [:]))
      #expect(a.resources == b.resources && a.alwaysRun == b.alwaysRun && a.location == b.location)
      #expect(a.matrix.map(\.key) == b.matrix.map(\.key) && a.outputs == b.outputs)
    }
    #expect(
      decodedGraph.upstream == graph.upstream && decodedGraph.order == graph.order
        && decodedGraph.owners == graph.owners)
    #expect(
      Snapshot.decodePipeline(
        Snapshot.encode(pipeline, graph: graph, key: key), key: Digest.of("stale")) == nil)
  }
}
