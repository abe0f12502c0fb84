public import FairflowBase
/// Derived caches that make no-op commands on large pipelines fast: the expanded pipeline + graph
/// keyed by the pipeline file's digest (plus overrides and stage-kind versions), and the decoded
/// lock file keyed by the lock file's digest. YAML parsing of a 10,000-stage file takes about a
/// second; decoding the snapshot takes milliseconds.
///
/// Layout: `"FFSNAP05"` magic, the 64-hex key, then the `BinaryWriter` payload. A snapshot whose
/// key differs, or that fails to decode, is ignored and rebuilt: it can never change a result,
/// only skip re-deriving one (the key covers every input of the derivation).
public enum Snapshot {
  static let magic = Array("FFSNAP05".utf8)

  /// The key of a pipeline derivation: file bytes, overrides, registry (kinds + versions).
  public static func pipelineKey(
    fileDigest: Digest, file: String, overrides: [String], registry: StageKindRegistry
  ) -> Digest {
    var writer = BinaryWriter()
    writer.string("pipeline-snapshot 1")
    writer.string(fileDigest.hex)
    writer.string(file)
    writer.strings(overrides)
    writer.strings(
      registry.names.map { name in
        let kind = registry[name]!
        return "\(name)@\(kind.version)" + (kind.reproducibility.deterministic ? "" : "~")
      })
    return Digest.of(writer.bytes)
  }

  /// `fileDigest` is the SHA-256 of the lock file's bytes.
  public static func lockKey(fileDigest: Digest) -> Digest {
    Digest.of("lock-snapshot 1\n" + fileDigest.hex)
  }

  static func header(_ key: Digest) -> BinaryWriter {
    var writer = BinaryWriter()
    writer.bytes = magic + Array(key.hex.utf8)
    return writer
  }

  static func reader(_ bytes: [UInt8], key: Digest) -> BinaryReader? {
    let headerSize = magic.count + 64
    guard bytes.count >= headerSize, Array(bytes[0..<magic.count]) == magic,
      Array(bytes[magic.count..<headerSize]) == Array(key.hex.utf8)
    else { return nil }
    return BinaryReader(bytes, offset: headerSize)
  }

  // MARK: Pipeline + graph

  public static func encode(_ pipeline: Pipeline, graph: Graph, key: Digest) -> [UInt8] {
    var w = header(key)
    w.string(pipeline.file)
    w.string(pipeline.name)
    w.string(pipeline.description ?? "")
    w.value(.map(pipeline.params))
    let slurm = pipeline.slurm
    w.strings([slurm.partition ?? "\0", slurm.account ?? "\0", slurm.qos ?? "\0"])
    w.int(slurm.defaultTimeSeconds ?? -1)
    w.strings(slurm.options)
    w.int(pipeline.stages.count)
    for stage in pipeline.stages {
      w.string(stage.name)
      w.string(stage.template)
      w.int(stage.location.line)
      w.int(stage.location.column)
      switch stage.action {
      case .command(let cmd): w.int(0); w.string(cmd)
      case .builtin(let kind, let version, let config):
        w.int(1); w.string(kind); w.int(version); w.value(config)
      }
      w.strings(stage.deps)
      for location in stage.depLocations { w.int(location.line); w.int(location.column) }
      w.int(stage.outputs.count)
      for (output, location) in zip(stage.outputs, stage.outputLocations) {
        w.string(output.path)
        w.int((output.cache ? 1 : 0) | (output.persist ? 2 : 0) | (output.isMetric ? 4 : 0))
        w.int(location.line)
        w.int(location.column)
      }
      w.value(.map(stage.params.map { ($0.name, $0.value) }))
      w.strings(stage.env.flatMap { [$0.name, $0.value] })
      w.int(stage.resources.cpus)
      w.int(stage.resources.memoryBytes ?? -1)
      w.int(stage.resources.gpus)
      w.int(stage.resources.timeSeconds ?? -1)
      w.string(stage.executor?.rawValue ?? "")
      w.bool(stage.alwaysRun)
      w.value(.map(stage.matrix.map { ($0.key, $0.value) }))
      w.string(stage.description ?? "")
      w.value(stage.reproducibility == .bitwise ? .null : stage.reproducibility.value)
    }
    for ups in graph.upstream { w.int(ups.count); for up in ups { w.int(up) } }
    for index in graph.order { w.int(index) }
    return w.bytes
  }

  public static func decodePipeline(_ bytes: [UInt8], key: Digest) -> (Pipeline, Graph)? {
    guard var r = reader(bytes, key: key) else { return nil }
    let file = r.string(), name = r.string(), description = r.string()
    guard case .map(let params) = r.value() else { return nil }
    let slurmNames = r.strings().map { $0 == "\0" ? nil : $0 }
    let slurmTime = r.int()
    guard slurmNames.count == 3 else { return nil }
    let slurm = SlurmSettings(
      partition: slurmNames[0], account: slurmNames[1], qos: slurmNames[2],
      defaultTimeSeconds: slurmTime < 0 ? nil : slurmTime, options: r.strings())
    let count = r.count()
    var stages: [Stage] = []
    stages.reserveCapacity(count)
    for _ in 0..<count where !r.failed {
      let stageName = r.string(), template = r.string()
      let location = SourceLocation(file: file, line: r.int(), column: r.int())
      let action: StageAction
      if r.int() == 0 {
        action = .command(r.string())
      } else {
        action = .builtin(kind: r.string(), version: r.int(), config: r.value())
      }
      let deps = r.strings()
      var depLocations: [SourceLocation] = []
      depLocations.reserveCapacity(deps.count)
      for _ in deps.indices where !r.failed {
        depLocations.append(SourceLocation(file: file, line: r.int(), column: r.int()))
      }
      let outputCount = r.count()
      var outputs: [Output] = []
      var outputLocations: [SourceLocation] = []
      outputs.reserveCapacity(outputCount)
      outputLocations.reserveCapacity(outputCount)
      for _ in 0..<outputCount where !r.failed {
        let path = r.string(), flags = r.int()
        outputs.append(
          Output(
            path: path, cache: flags & 1 != 0, persist: flags & 2 != 0, isMetric: flags & 4 != 0))
        outputLocations.append(SourceLocation(file: file, line: r.int(), column: r.int()))
      }
      guard case .map(let used) = r.value() else { return nil }
      let env = r.pairs()
      let cpus = r.int(), memory = r.int(), gpus = r.int(), time = r.int()
      let executor = r.string()
      let alwaysRun = r.bool()
      guard case .map(let matrix) = r.value() else { return nil }
      let stageDescription = r.string()
      let reproducibility = r.value()
      stages.append(
        Stage(
          name: stageName, template: template, location: location, action: action, deps: deps,
          depLocations: depLocations, outputs: outputs, outputLocations: outputLocations,
          params: used.isEmpty ? [] : used.map { (name: $0.key, value: $0.value) }, env: env,
          resources: Resources(
            cpus: cpus, memoryBytes: memory < 0 ? nil : memory, gpus: gpus,
            timeSeconds: time < 0 ? nil : time),
          alwaysRun: alwaysRun,
          matrix: matrix, description: stageDescription.isEmpty ? nil : stageDescription,
          executor: ExecutorKind(rawValue: executor)))
      if reproducibility != .null {
        guard let declared = Reproducibility(value: reproducibility) else { return nil }
        stages[stages.count - 1].reproducibility = declared
      }
    }
    var upstream: [[Int]] = []
    upstream.reserveCapacity(count)
    for _ in 0..<count where !r.failed {
      let n = r.count()
      var ups: [Int] = []
      ups.reserveCapacity(n)
      for _ in 0..<n where !r.failed {
        let up = r.int()
        if up < 0 || up >= count { r.failed = true }
        ups.append(up)
      }
      upstream.append(ups)
    }
    // `order` must be a permutation of the stage indices.
    var order: [Int] = []
    order.reserveCapacity(count)
    var seen = [Bool](repeating: false, count: count)
    for _ in 0..<count where !r.failed {
      let index = r.int()
      if index < 0 || index >= count || seen[index] { r.failed = true; break }
      seen[index] = true
      order.append(index)
    }
    guard !r.failed, r.offset == bytes.count, order.count == count else { return nil }
    let pipeline = Pipeline(
      file: file, name: name, description: description.isEmpty ? nil : description, params: params,
      stages: stages, slurm: slurm)
    return (pipeline, Graph(pipeline: pipeline, upstream: upstream, order: order))
  }

  // MARK: Lock file

  public static func encode(_ lock: LockFile, key: Digest) -> [UInt8] {
    var w = header(key)
    w.int(lock.entries.count)
    for name in lock.entries.keys.sorted() { w.entry(lock.entries[name]!) }
    return w.bytes
  }

  public static func decodeLock(_ bytes: [UInt8], key: Digest) -> LockFile? {
    guard var r = reader(bytes, key: key) else { return nil }
    var lock = LockFile()
    let count = r.count()
    lock.entries.reserveCapacity(count)
    for _ in 0..<count where !r.failed {
      guard let entry = r.entry() else { return nil }
      let stage = entry.stage
      lock.entries[stage] = consume entry
    }
    guard !r.failed, r.offset == bytes.count else { return nil }
    return lock
  }
}

extension LockEntry {
  /// The entry in the snapshots' binary form (also one record of a run's lock journal).
  public var binary: [UInt8] {
    var writer = BinaryWriter()
    writer.entry(self)
    return writer.bytes
  }

  /// Decodes ``binary``; nil when the bytes are not exactly one entry.
  public init?(binary bytes: [UInt8]) {
    var reader = BinaryReader(bytes)
    guard let entry = reader.entry(), !reader.failed, reader.offset == bytes.count else {
      return nil
    }
    self = entry
  }
}

extension BinaryWriter {
  mutating func entry(_ e: LockEntry) {
    string(e.stage)
    digest(e.fingerprint)
    string(e.command)
    value(.map(e.params.map { ($0.name, $0.value) }))
    strings(e.env.flatMap { [$0.name, $0.value] })
    for records in [e.deps, e.outs] {
      int(records.count)
      for record in records {
        string(record.path)
        digest(record.digest)
        int(record.size)
        bool(record.kind == .directory)
        int(record.files ?? -1)
      }
    }
    value(.map(e.metrics.map { ($0.path, $0.value) }))
    string(e.run)
  }
}

extension BinaryReader {
  mutating func entry() -> LockEntry? {
    let name = string()
    guard let fingerprint = digest() else { return nil }
    let command = string()
    guard case .map(let params) = value() else { return nil }
    let env = pairs()
    guard let deps = records(), let outs = records() else { return nil }
    guard case .map(let metrics) = value() else { return nil }
    let run = string()
    guard !failed else { return nil }
    return LockEntry(
      stage: name, fingerprint: fingerprint, command: command,
      params: params.isEmpty ? [] : params.map { (name: $0.key, value: $0.value) },
      env: env, deps: deps, outs: outs,
      metrics: metrics.isEmpty ? [] : metrics.map { (path: $0.key, value: $0.value) }, run: run)
  }

  /// A list of path records, as ``BinaryWriter/entry(_:)`` writes `deps` and `outs`.
  mutating func records() -> [PathRecord]? {
    let n = count()
    var records: [PathRecord] = []
    records.reserveCapacity(n)
    for _ in 0..<n where !failed {
      let path = string()
      guard let digest = digest() else { return nil }
      let size = int(), isDirectory = bool(), files = int()
      records.append(
        PathRecord(
          path: path, digest: digest, size: size, kind: isDirectory ? .directory : .file,
          files: files < 0 ? nil : files))
    }
    return records
  }

  /// Name–value pairs written flat with ``BinaryWriter/strings(_:)`` (an odd last one is dropped).
  mutating func pairs() -> [(name: String, value: String)] {
    let n = count()
    var result: [(name: String, value: String)] = []
    result.reserveCapacity(n / 2)
    for _ in 0..<n / 2 where !failed { result.append((string(), string())) }
    if n % 2 == 1, !failed { _ = string() }
    return result
  }
}
