public import FairflowBase
public import FairflowCore
public import FairflowStore

/// A fairflow workspace: the directory holding `pipelines/`, where commands run and `cache/` lives.
public struct Workspace: Sendable {
  public let root: String

  public init(root: String) { self.root = root }

  /// The nearest ancestor of `directory` (inclusive) that contains `pipelines/`, else `directory`.
  public static func discover(from directory: String) -> Workspace {
    var current = directory
    while true {
      if let st = try? FileIO.stat(current + "/pipelines"), st.kind == .directory {
        return Workspace(root: current)
      }
      let parent = FileIO.parent(of: current)
      if parent == current || current == "/" || current.isEmpty {
        return Workspace(root: directory)
      }
      current = parent
    }
  }

  public var cacheDirectory: String { root + "/cache" }
  public var statCacheFile: String { CacheLayout(workspace: root).statCache }
  public func logDirectory(run: String) -> String { CacheLayout(workspace: root).logs(run: run) }

  /// Resolves `PIPELINE`: an existing path, or a name for `pipelines/NAME.yaml` (or `.yml`); with
  /// nothing given, the only pipeline in `pipelines/`.
  public func pipelineFile(_ argument: String?) throws(PipelineError) -> String {
    if let argument {
      for candidate in [argument, root + "/" + argument]
      where (try? FileIO.stat(candidate))?.kind == .file {
        return candidate
      }
      for ext in ["yaml", "yml"] {
        let candidate = "\(root)/pipelines/\(argument).\(ext)"
        if FileIO.exists(candidate) { return candidate }
      }
      let known = availablePipelines()
      throw PipelineError(
        "no pipeline '\(argument)' (looked for \(argument) and pipelines/\(argument).yaml)",
        hint: Suggestion.hint(for: argument, in: known)
          ?? (known.isEmpty ? nil : "available: \(known.joined(separator: ", "))"))
    }
    let known = availablePipelines()
    guard known.count == 1 else {
      throw PipelineError(
        known.isEmpty
          ? "no pipeline files in \(root)/pipelines" : "several pipelines in pipelines/; name one",
        hint: known.isEmpty
          ? "create pipelines/NAME.yaml" : "available: \(known.joined(separator: ", "))")
    }
    return "\(root)/pipelines/\(known[0]).yaml"
  }

  public func availablePipelines() -> [String] {
    ((try? FileIO.list(root + "/pipelines")) ?? []).compactMap { name in
      name.hasSuffix(".yaml") ? String(name.dropLast(5)) : nil
    }
  }

  /// `pipelines/NAME.lock` beside `pipelines/NAME.yaml`.
  /// Every pipeline's lock file that exists, as the user should see its path, decoded or with
  /// the error that kept it from decoding.
  public func lockFiles() -> [(display: String, lock: Result<LockFile, any Error>)] {
    availablePipelines().compactMap { name in
      let path = lockFile(for: "\(root)/pipelines/\(name).yaml")
      guard FileIO.exists(path) else { return nil }
      let shown = display(path)
      return (shown, Result { try LockFile.decode(try FileIO.readText(path), file: shown) })
    }
  }

  public func lockFile(for pipelineFile: String) -> String {
    for ext in [".yaml", ".yml"] where pipelineFile.hasSuffix(ext) {
      return String(pipelineFile.dropLast(ext.count)) + ".lock"
    }
    return pipelineFile + ".lock"
  }

  /// Derived snapshot of a pipeline (`kind` is "pipeline" or "lock"); see `Snapshot`.
  public func snapshotFile(for file: String, kind: String) -> String {
    CacheLayout(workspace: root).snapshots + "/" + display(file).replacingSlashes() + "." + kind
  }

  /// The path shown to users (relative to the workspace when inside it).
  public func display(_ path: String) -> String {
    path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
  }
}

/// A pipeline loaded, expanded and checked, with its lock file.
public struct LoadedPipeline: Sendable {
  public var workspace: Workspace
  public var file: String
  public var pipeline: Pipeline
  public var graph: Graph
  public var lock: LockFile
  public var lockPath: String
  /// SHA-256 of the lock file as loaded (nil: there was none).
  public var lockDigest: Digest?

  /// Loads `file` with `overrides`; errors are `PipelineError`/`GraphError`/`StoreError`.
  /// With a `statCache`, the pipeline and lock files are not re-hashed when unchanged.
  public static func load(
    _ file: String, in workspace: Workspace, overrides: [String] = [],
    registry: StageKindRegistry = StageKindRegistry(),
    statCache: StatCache? = nil
  ) throws -> LoadedPipeline {
    let display = workspace.display(file)
    let (fileDigest, size) = try digest(of: file, statCache: statCache)
    guard size <= 16 << 20 else {
      throw PipelineError(
        "\(display) is larger than 16 MiB", hint: "generate large stage sets with 'matrix:'")
    }
    let key = Snapshot.pipelineKey(
      fileDigest: fileDigest, file: display, overrides: overrides, registry: registry)
    let snapshotPath = workspace.snapshotFile(for: file, kind: "pipeline")
    let pipeline: Pipeline, graph: Graph
    if let cached = (try? FileIO.read(snapshotPath)).flatMap({
      Snapshot.decodePipeline($0, key: key)
    }) {
      (pipeline, graph) = cached
    } else {
      let spec = try PipelineLoader.load(
        text: try PipelineLoader.decode(try FileIO.read(file), file: display), file: display)
      pipeline = try PipelineExpander(registry: registry).expand(spec, overrides: overrides)
      graph = try Graph(pipeline)
      try? FileIO.writeAtomically(
        Snapshot.encode(pipeline, graph: graph, key: key), to: snapshotPath)
    }
    let lockPath = workspace.lockFile(for: file)
    let (lock, lockDigest) = try loadLock(
      lockPath, workspace: workspace, snapshot: workspace.snapshotFile(for: file, kind: "lock"),
      statCache: statCache)
    return LoadedPipeline(
      workspace: workspace, file: file, pipeline: pipeline, graph: graph, lock: lock,
      lockPath: lockPath, lockDigest: lockDigest)
  }

  /// True when the lock file on disk is no longer the one this pipeline was loaded with.
  public func lockFileChanged(statCache: StatCache?) throws -> Bool {
    guard FileIO.exists(lockPath) else { return lockDigest != nil }
    return try Self.digest(of: lockPath, statCache: statCache).0 != lockDigest
  }

  /// The SHA-256 and size of a file, through the stat cache when one is given.
  static func digest(of path: String, statCache: StatCache?) throws -> (Digest, Int) {
    guard let statCache, let stat = try FileIO.stat(path), stat.kind == .file else {
      return try FileHasher.hash(path)
    }
    if let cached = statCache.digest(for: stat) { return (cached, stat.size) }
    let (digest, size) = try FileHasher.hash(path)
    statCache.record(stat, digest: digest)
    return (digest, size)
  }

  static func loadLock(
    _ path: String, workspace: Workspace, snapshot: String, statCache: StatCache?
  ) throws -> (LockFile, Digest?) {
    guard FileIO.exists(path) else { return (LockFile(), nil) }
    let fileDigest = try digest(of: path, statCache: statCache).0
    let key = Snapshot.lockKey(fileDigest: fileDigest)
    if let cached = (try? FileIO.read(snapshot)).flatMap({ Snapshot.decodeLock($0, key: key) }) {
      return (cached, fileDigest)
    }
    let lock = try LockFile.decode(try FileIO.readText(path), file: workspace.display(path))
    try? FileIO.writeAtomically(Snapshot.encode(lock, key: key), to: snapshot)
    return (lock, fileDigest)
  }

  /// Writes `lock`'s entries for `stages` into the lock file as it is on disk now (read through
  /// its snapshot, without YAML parsing when the snapshot is current): runs on disjoint stages
  /// update one lock file without losing each other's entries. The caller holds the pipeline's
  /// decision lock (``StageClaims``). With `keepOnly`, entries of other stage names are dropped
  /// (stages removed from the pipeline). Returns the merged lock.
  @discardableResult
  public func writeMerging(
    _ lock: LockFile, stages: Set<String>, keepOnly names: Set<String>?
  ) throws -> LockFile {
    // A lock file that no longer parses is replaced rather than merged (every run already
    // failed to load it; `cache verify` reports it).
    var merged =
      (try? Self.loadLock(
        lockPath, workspace: workspace,
        snapshot: workspace.snapshotFile(for: file, kind: "lock"), statCache: nil
      ).0)
      ?? LockFile()
    for stage in stages { merged.entries[stage] = lock.entries[stage] }
    if let names { merged.entries = merged.entries.filter { names.contains($0.key) } }
    try write(merged)
    return merged
  }

  /// Writes the lock file and its snapshot (so the next load skips YAML parsing).
  public func write(_ lock: LockFile) throws {
    let text = lock.encoded(pipelineFile: workspace.display(file))
    try FileIO.writeAtomically(text, to: lockPath)
    let key = Snapshot.lockKey(fileDigest: Digest.of(text))
    try? FileIO.writeAtomically(
      Snapshot.encode(lock, key: key), to: workspace.snapshotFile(for: file, kind: "lock"))
  }

  /// Indices of the named stages (a template name selects all its matrix cells).
  public func stageIndices(named names: [String]) throws(GraphError) -> [Int] {
    var result: [Int] = []
    for name in names {
      let matches = pipeline.stages.indices.filter {
        pipeline.stages[$0].name == name || pipeline.stages[$0].template == name
      }
      guard !matches.isEmpty else {
        throw GraphError(
          .unknownStage(name, hint: Suggestion.hint(for: name, in: pipeline.stages.map(\.name))),
          file: workspace.display(file))
      }
      result += matches
    }
    return result
  }
}

extension String {
  fileprivate func replacingSlashes() -> String { String(map { $0 == "/" ? "%" : $0 }) }
}
