public import FairflowBase
internal import FairflowCore

extension ProvenanceRecord {
  /// The record as a `Value` in schema order; `prettyJSON` of it is what is committed.
  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("schema", .string(Self.schema)), ("run", .string(run)), ("pipeline", .string(pipeline)),
      ("stage", .string(stage)), ("kind", .string(kind)),
    ]
    if let command { fields.append(("command", .string(command))) }
    if let implementationVersion {
      fields.append(("implementation_version", .int(implementationVersion)))
    }
    fields += [
      ("params", .map(params)), ("env", .map(env)),
      ("deps", .list(deps.map(\.value))), ("outputs", .list(outputs.map(\.value))),
      ("outcome", .string(outcome.rawValue)),
      ("restored_from", restoredFrom.map(Value.string) ?? .null),
      ("exit_status", exitStatus.map(Value.int) ?? .null),
    ]
    if let failure { fields.append(("failure", .string(failure))) }
    fields += [
      ("started", .string(started)), ("ended", .string(ended)),
      ("duration_seconds", .double(durationSeconds)),
      ("fingerprint", fingerprint.map(Value.string) ?? .null),
      ("executor", .map(executor)),
    ]
    if let reproducibility { fields.append(("reproducibility", reproducibility.value)) }
    fields += [
      ("host", .map(context.host)),
      ("software", .map(context.software)), ("environment", .map(context.environment)),
      ("user", .map(context.user)), ("code", .map(context.code)),
    ]
    return .map(fields)
  }

  public var json: String { value.prettyJSON }

  /// Decodes a committed record; `source` names it in errors ("runs/ID/stage.json").
  public init(json text: String, source: String) throws(ProvenanceError) {
    let value: Value
    do { value = try ValueParser.parse(text, file: source) } catch {
      throw ProvenanceError("\(source): not a provenance record: \(error.problem)")
    }
    try self.init(value: value, source: source)
  }

  public init(value: Value, source: String) throws(ProvenanceError) {
    func bad(_ what: String) -> ProvenanceError {
      ProvenanceError("\(source): malformed provenance record: \(what)")
    }
    guard value["schema"]?.stringValue == Self.schema else {
      throw bad("schema is not \(Self.schema)")
    }
    func string(_ key: String) throws(ProvenanceError) -> String {
      guard let s = value[key]?.stringValue else { throw bad("'\(key)' missing") }
      return s
    }
    func pairs(_ key: String) -> [(key: String, value: Value)] {
      if case .map(let p)? = value[key] { return p }
      return []
    }
    func artifacts(_ key: String) throws(ProvenanceError) -> [Artifact] {
      var out: [Artifact] = []
      for item in value[key]?.listValue ?? [] {
        guard let artifact = Artifact(value: item) else { throw bad("an entry of '\(key)'") }
        out.append(artifact)
      }
      return out
    }
    guard let outcome = Outcome(rawValue: try string("outcome")) else { throw bad("'outcome'") }
    run = try string("run")
    pipeline = try string("pipeline")
    stage = try string("stage")
    kind = try string("kind")
    command = value["command"]?.stringValue
    implementationVersion = value["implementation_version"]?.intValue
    params = pairs("params")
    env = pairs("env")
    deps = try artifacts("deps")
    outputs = try artifacts("outputs")
    self.outcome = outcome
    restoredFrom = value["restored_from"]?.stringValue
    failure = value["failure"]?.stringValue
    exitStatus = value["exit_status"]?.intValue
    started = try string("started")
    ended = try string("ended")
    switch value["duration_seconds"] {
    case .double(let d)?: durationSeconds = d
    case .int(let i)?: durationSeconds = Double(i)
    default: durationSeconds = 0
    }
    fingerprint = value["fingerprint"]?.stringValue
    executor = pairs("executor")
    if let declared = value["reproducibility"] {
      guard let parsed = Reproducibility(value: declared) else { throw bad("'reproducibility'") }
      reproducibility = parsed
    } else {
      reproducibility = nil
    }
    context = RunContext(
      host: pairs("host"), software: pairs("software"), environment: pairs("environment"),
      user: pairs("user"), code: pairs("code"))
  }
}

extension ProvenanceRecord.Artifact {
  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("path", .string(path)), ("sha256", .string(sha256)), ("size", .int(size)),
    ]
    if isDirectory {
      fields.append(("kind", .string("directory")))
      if let files { fields.append(("files", .int(files))) }
    }
    if let origin { fields.append(("origin", origin.value)) }
    return .map(fields)
  }

  init?(value: Value) {
    guard let path = value["path"]?.stringValue, let sha = value["sha256"]?.stringValue,
      let size = value["size"]?.intValue
    else { return nil }
    self.init(
      path: path, sha256: sha, size: size, isDirectory: value["kind"]?.stringValue == "directory",
      files: value["files"]?.intValue,
      origin: value["origin"].flatMap(ProvenanceRecord.Origin.init(value:)))
  }
}

extension ProvenanceRecord.Origin {
  static let knownKeys: Set<String> = ["doi", "url", "checksum", "retrieved"]

  public var value: Value {
    var fields: [(key: String, value: Value)] = []
    if let doi { fields.append(("doi", .string(doi))) }
    if let url { fields.append(("url", .string(url))) }
    if let checksum { fields.append(("checksum", .string(checksum))) }
    if let retrieved { fields.append(("retrieved", .string(retrieved))) }
    return .map(fields + metadata)
  }

  /// Reads an origin object; nil unless it is a map naming at least a DOI or URL.
  public init?(value: Value) {
    guard case .map(let pairs) = value else { return nil }
    doi = value["doi"]?.stringValue
    url = value["url"]?.stringValue
    checksum = value["checksum"]?.stringValue
    retrieved = value["retrieved"]?.stringValue
    metadata = pairs.filter { !Self.knownKeys.contains($0.key) }
    guard doi != nil || url != nil else { return nil }
  }
}
