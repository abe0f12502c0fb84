import FairflowBase
import FairflowCore
import FairflowTesting
import Testing

@Suite struct SnapshotTests {
  static let text = """
    pipeline: demo
    description: Round trip of every field
    params: {n: 2, rate: 0.5, on: true, none: ~, tags: [a, b], model: {lr: 0.1}}
    env: {TOP: "1"}
    stages:
      gen:
        desc: Generates
        matrix: {seed: [1, 2], fast: [true]}
        cmd: gen ${matrix.seed} ${params.n} > d${matrix.seed}
        outs:
          - d${matrix.seed}
        env: {K: v}
        resources: {cpus: 2, memory: 1G, gpus: 1}
      convert:
        uses: record
        with: {count: "${params.n}", extra: "${params.model}"}
        deps: [d1]
        outs: [c]
      join:
        cmd: cat d1 d2 > j
        deps: [d1, d2, c]
        outs:
          - {path: j, persist: true}
          - {path: scratch, cache: false}
        metrics: [m.json]
        always_run: true
        deterministic: false
        tolerance: {auc: 0.002, loss: "1.5%", seconds: any}
    """

  static func pipelineAndGraph() throws -> (Pipeline, Graph) {
    let pipeline = try expand(text, registry: StageKindRegistry([RecordingKind()]))
    return (pipeline, try Graph(pipeline))
  }

  /// Every field of a pipeline and its graph, one per line, so equality is checked field by field.
  static func dump(_ pipeline: Pipeline, _ graph: Graph) -> String {
    func pairs(_ values: [(String, Value)]) -> String {
      values.map { "\($0.0)=\($0.1.canonicalText)" }.joined(separator: " ")
    }
    var out = "file=\(pipeline.file) name=\(pipeline.name) desc=\(pipeline.description ?? "-")\n"
    out += "params \(pairs(pipeline.params.map { ($0.key, $0.value) }))\n"
    for stage in pipeline.stages {
      out += "stage \(stage.name) template=\(stage.template) at=\(stage.location)\n"
      out += "  action \(stage.action)\n  deps \(stage.deps) at \(stage.depLocations)\n"
      out +=
        "  outputs \(stage.outputs.map { "\($0.path):\($0.cache):\($0.persist):\($0.isMetric)" })"
      out += " at \(stage.outputLocations)\n"
      out += "  params \(pairs(stage.params.map { ($0.name, $0.value) }))\n"
      out += "  env \(stage.env.map { "\($0.name)=\($0.value)" })\n"
      out += "  resources \(stage.resources) alwaysRun=\(stage.alwaysRun)\n"
      out += "  matrix \(pairs(stage.matrix.map { ($0.key, $0.value) }))\n"
      out += "  desc \(stage.description ?? "-")\n"
      out += "  reproducibility \(stage.reproducibility.value.canonicalText)\n"
    }
    out += "upstream \(graph.upstream)\ndownstream \(graph.downstream)\norder \(graph.order)\n"
    out += "owners \(graph.owners.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })\n"
    return out
  }

  @Test func pipelineSnapshotRoundTripsEveryField() throws {
    let (pipeline, graph) = try Self.pipelineAndGraph()
    let key = Digest.of("key")
    let (decoded, decodedGraph) = try #require(
      Snapshot.decodePipeline(Snapshot.encode(pipeline, graph: graph, key: key), key: key))
    #expect(Self.dump(decoded, decodedGraph) == Self.dump(pipeline, graph))
    // The fixture really exercises the optional fields (a dump of defaults would prove little).
    #expect(
      decoded.stages.map(\.name) == [
        "gen@seed=1,fast=true", "gen@seed=2,fast=true", "convert", "join",
      ])
    #expect(try decoded.stage("convert").displayCommand == "uses: record")
    #expect(try decoded.stage("gen@seed=1,fast=true").resources.memoryBytes == 1 << 30)
    #expect(try decoded.stage("join").description == nil)
    #expect(
      try decoded.stage("join").reproducibility
        == Reproducibility(
          deterministic: false,
          tolerance: [
            .init(key: "auc", absolute: 0.002), .init(key: "loss", percent: 1.5),
            .init(key: "seconds", absolute: .infinity),
          ]))
    #expect(try decoded.stage("convert").reproducibility == .bitwise)
    // Where each path is declared survives too (matrix cells share their template's entries).
    let join = try decoded.stage("join")
    #expect(join.depLocations.map(\.line) == [21, 21, 21])
    #expect(join.depLocations.map(\.column) == [12, 16, 20])
    #expect(
      join.outputLocations.map { "\($0)" } == [
        "pipelines/test.yaml:23:16", "pipelines/test.yaml:24:16", "pipelines/test.yaml:25:15",
      ])
    #expect(try decoded.stage("gen@seed=2,fast=true").outputLocations.map(\.line) == [11])
  }

  @Test func lockSnapshotRoundTripsEveryField() throws {
    let lock = LockFileTests.sample()
    let key = Digest.of("k")
    let decoded = try #require(Snapshot.decodeLock(Snapshot.encode(lock, key: key), key: key))
    // The lock file text covers every field of every entry (sorted), so equal text is equality.
    #expect(decoded.encoded(pipelineFile: "p") == lock.encoded(pipelineFile: "p"))
    #expect(decoded.entries.keys.sorted() == lock.entries.keys.sorted())
    let empty = Snapshot.decodeLock(Snapshot.encode(LockFile(), key: key), key: key)
    #expect(empty?.entries.isEmpty == true)
  }

  @Test func anotherKeyIsRejected() throws {
    let (pipeline, graph) = try Self.pipelineAndGraph()
    let bytes = Snapshot.encode(pipeline, graph: graph, key: Digest.of("key"))
    #expect(Snapshot.decodePipeline(bytes, key: Digest.of("stale")) == nil)
    let lockBytes = Snapshot.encode(LockFileTests.sample(), key: Digest.of("k"))
    #expect(Snapshot.decodeLock(lockBytes, key: Digest.of("other")) == nil)
    // A lock snapshot is not a pipeline snapshot, even under the same key.
    #expect(Snapshot.decodePipeline(lockBytes, key: Digest.of("k")) == nil)
  }

  @Test func everyTruncationIsRejected() throws {
    let (pipeline, graph) = try Self.pipelineAndGraph()
    let key = Digest.of("key")
    let bytes = Snapshot.encode(pipeline, graph: graph, key: key)
    for length in 0..<bytes.count {
      #expect(Snapshot.decodePipeline(Array(bytes[..<length]), key: key) == nil, "length \(length)")
    }
    let lockBytes = Snapshot.encode(LockFileTests.sample(), key: key)
    for length in 0..<lockBytes.count {
      #expect(Snapshot.decodeLock(Array(lockBytes[..<length]), key: key) == nil, "length \(length)")
    }
  }

  @Test func trailingBytesAreRejected() throws {
    let (pipeline, graph) = try Self.pipelineAndGraph()
    let key = Digest.of("key")
    #expect(
      Snapshot.decodePipeline(Snapshot.encode(pipeline, graph: graph, key: key) + [0], key: key)
        == nil)
    #expect(
      Snapshot.decodeLock(Snapshot.encode(LockFileTests.sample(), key: key) + [0], key: key) == nil)
  }

  @Test func randomGarbageIsRejected() {
    var random = SplitMix64(state: 42)
    let key = Digest.of("key")
    for length in [0, 1, 7, 8, 71, 72, 73, 100, 1000, 10_000] {
      for _ in 0..<20 {
        let garbage = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        #expect(Snapshot.decodePipeline(garbage, key: key) == nil)
        #expect(Snapshot.decodeLock(garbage, key: key) == nil)
      }
    }
  }

  /// Behind a valid header (as after a torn write), arbitrary payloads must fail soft, never trap.
  @Test func garbageBehindAValidHeaderIsRejected() throws {
    var random = SplitMix64(state: 7)
    let key = Digest.of("key")
    let header = Array(Snapshot.encode(LockFile(), key: key).dropLast())  // magic + key
    for length in [2, 3, 16, 100, 1000] {
      for _ in 0..<200 {
        let payload = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        #expect(Snapshot.decodePipeline(header + payload, key: key) == nil)
        #expect(Snapshot.decodeLock(header + payload, key: key) == nil)
      }
    }
  }

  /// Flipped bits inside a real snapshot must never trap; whatever decodes is still well formed.
  @Test func damagedPayloadsNeverCrash() throws {
    var random = SplitMix64(state: 1)
    let (pipeline, graph) = try Self.pipelineAndGraph()
    let key = Digest.of("key")
    let bytes = Snapshot.encode(pipeline, graph: graph, key: key)
    let lockBytes = Snapshot.encode(LockFileTests.sample(), key: key)
    for _ in 0..<500 {
      var damaged = bytes
      damaged[Int.random(in: 72..<damaged.count, using: &random)] ^= UInt8.random(
        in: 1...255, using: &random)
      if let result = Snapshot.decodePipeline(damaged, key: key) {
        #expect(result.1.upstream.count == result.0.stages.count)
        #expect(Set(result.1.order) == Set(result.0.stages.indices))
      }
      var damagedLock = lockBytes
      damagedLock[Int.random(in: 72..<damagedLock.count, using: &random)] ^= UInt8.random(
        in: 1...255, using: &random)
      _ = Snapshot.decodeLock(damagedLock, key: key)
    }
  }

  @Test func pipelineKeyCoversEveryInputOfTheDerivation() {
    let registry = StageKindRegistry([RecordingKind()])
    func key(
      _ digest: String = "f", _ file: String = "p.yaml", _ overrides: [String] = [],
      _ kinds: StageKindRegistry = registry
    ) -> Digest {
      Snapshot.pipelineKey(
        fileDigest: Digest.of(digest), file: file, overrides: overrides, registry: kinds)
    }
    #expect(key() == key())
    #expect(key("g") != key())
    #expect(key("f", "q.yaml") != key())
    #expect(key("f", "p.yaml", ["n=1"]) != key())
    #expect(key("f", "p.yaml", [], StageKindRegistry()) != key())
    #expect(
      Snapshot.lockKey(fileDigest: Digest.of("a")) != Snapshot.lockKey(fileDigest: Digest.of("b")))
  }
}
