internal import Crypto
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowGit
internal import FairflowStore

extension ProvenanceRecorder {
  /// Environment variables recorded when set (values of secret-looking names are redacted
  /// anyway); extend with `FAIRFLOW_PROVENANCE_ENV=NAME,NAME`.
  static let allowedEnvironment: [String] = [
    "PATH", "LANG", "LC_ALL", "TZ", "PYTHONHASHSEED", "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX",
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "FAIRFLOW_THREADS", "MKL_NUM_THREADS",
    "CUDA_VISIBLE_DEVICES",
    "SLURM_JOB_ID", "SLURM_JOB_NODELIST", "SLURM_CLUSTER_NAME", "HOSTNAME",
  ]

  func makeRecord(_ stage: StageRecord, store: ProvenanceStore) throws -> ProvenanceRecord {
    let context = try runContext(store: store)
    let redactor = Redactor(stage: stage.stage)
    var kind = "command"
    var version: Int?
    if case .builtin(let builtin, let v, _) = stage.stage.action {
      kind = builtin
      version = v
    }
    for (path, origin) in stage.origins {
      if let out = stage.outs.first(where: { $0.path == path }) {
        originsByDigest[out.digest.hex] = ProvenanceRecord.Origin(value: origin)
      }
    }
    func artifact(_ record: PathRecord) throws -> ProvenanceRecord.Artifact {
      ProvenanceRecord.Artifact(
        path: record.path, sha256: record.digest.hex, size: record.size,
        isDirectory: record.kind == .directory, files: record.files,
        origin: try origin(of: record.digest.hex, store: store))
    }
    var outcome = ProvenanceRecord.Outcome.executed
    var restoredFrom: String?
    var failure: String?
    switch stage.outcome {
    case .executed: break
    case .restored(let from):
      outcome = .restored
      restoredFrom = from
    case .failed(let reason):
      outcome = .failed
      failure = redactor.text(reason)
    }
    return ProvenanceRecord(
      run: run, pipeline: pipelineFile, stage: stage.stage.name, kind: kind,
      command: redactor.text(stage.stage.displayCommand), implementationVersion: version,
      params: Redactor.params(stage.stage.params).map { (key: $0.name, value: $0.value) },
      env: Redactor.env(stage.stage.env).map { (key: $0.name, value: .string($0.value)) },
      deps: try stage.deps.map(artifact), outputs: try stage.outs.map(artifact),
      outcome: outcome, restoredFrom: restoredFrom, failure: failure,
      exitStatus: stage.exitStatus.map(Int.init), started: stage.started, ended: stage.ended,
      durationSeconds: (stage.seconds * 1000).rounded() / 1000,
      fingerprint: stage.fingerprint?.hex, executor: stage.executor,
      context: context,
      reproducibility: stage.stage.reproducibility == .bitwise ? nil : stage.stage.reproducibility)
  }

  /// Where content with this digest was fetched from: declared in this run, or by the newest
  /// earlier record listing it as an output with an origin.
  func origin(of hex: String, store: ProvenanceStore) throws -> ProvenanceRecord.Origin? {
    if let known = originsByDigest[hex] { return known }
    var found: ProvenanceRecord.Origin?
    for producer in try store.producers(ofSHA256: hex).reversed() where producer.hasOrigin {
      guard let record = try store.record(run: producer.run, file: producer.file) else { continue }
      if let origin = record.outputs.first(where: { $0.sha256 == hex })?.origin {
        found = origin
        break
      }
    }
    originsByDigest[hex] = found
    return found
  }

  func runContext(store: ProvenanceStore) throws -> RunContext {
    if let context { return context }
    if let contextOverride {
      context = contextOverride
      return contextOverride
    }
    let repository = store.repository
    var code: [(key: String, value: Value)]
    // Files fairflow itself writes are not code: lock files and anything under cache/.
    let workdir = repository.workingDirectory ?? ""
    let prefix = root.hasPrefix(workdir) ? String(root.dropFirst(workdir.count)) : ""
    let inWorkspace = prefix.isEmpty ? "" : (prefix.hasSuffix("/") ? prefix : prefix + "/")
    let ignoring: (String) -> Bool = { path in
      guard path.hasPrefix(inWorkspace) else { return false }
      let relative = path.dropFirst(inWorkspace.count)
      return CacheLayout.contains(relative: relative)
        || (relative.hasPrefix("pipelines/") && relative.hasSuffix(".lock"))
    }
    if !store.isFallback, let state = try repository.workingState(ignoring: ignoring) {
      code = [
        ("repository", repository.workingDirectory.map(stripSlash) ?? .null),
        ("commit", state.head.map { .string($0.hex) } ?? .null),
        ("branch", state.branch.map(Value.string) ?? .null),
        ("dirty", .bool(state.dirty)),
        (
          "diff_sha256",
          state.dirty ? .string(Digest(bytes: SHA256.hash(data: state.patch)).hex) : .null
        ),
      ]
    } else {
      code = [("repository", .null), ("commit", .null), ("branch", .null), ("dirty", .null)]
    }
    var env: [(key: String, value: Value)] = []
    var names = Self.allowedEnvironment
    if let extra = environment["FAIRFLOW_PROVENANCE_ENV"] {
      names += extra.split(separator: ",").map { $0.trimmed(" ") }
    }
    for name in Set(names).sorted() {
      guard let value = environment[name] else { continue }
      env.append((name, .string(SecretNames.isSecret(name) ? SecretNames.redacted : value)))
    }
    var user: [(key: String, value: Value)] = []
    if let name = repository.configString("user.name") { user.append(("name", .string(name))) }
    if let email = repository.configString("user.email") {
      user.append(("email", .string(email)))
    }
    let built = RunContext(
      host: HostFacts.collect(),
      software: [
        ("fairflow", .string(FairflowVersion.current)),
        ("swift", .string(FairflowVersion.swiftCompiler)),
        ("libraries", .map([("libgit2", .string(Libgit2.version))])),
      ],
      environment: env, user: user, code: code)
    context = built
    return built
  }

  private func stripSlash(_ path: String) -> Value {
    .string(path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
  }
}
