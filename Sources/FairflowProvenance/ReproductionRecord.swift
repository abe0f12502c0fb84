public import FairflowBase

/// One `fairflow reproduce`: which artifact was re-derived, from what, where, when and with what
/// result. Stored as `reproductions/<id>.json` on `refs/fairflow/provenance` (schema
/// `fairflow.reproduction/1`, docs/provenance.md) so `prov trace` shows it under the artifact
/// and `prov export` carries it with the run that made the artifact.
public struct ReproductionRecord: Sendable, Equatable {
  public static let schema = "fairflow.reproduction/1"

  /// One lineage stage's verdict.
  public struct StageResult: Sendable, Equatable {
    public var stage: String
    /// The run whose record was compared.
    public var run: String
    public var result: String
    public var reason: String?
    /// The outputs that did not reproduce byte for byte.
    public var differing: [String]

    public init(
      stage: String, run: String, result: String, reason: String? = nil, differing: [String] = []
    ) {
      self.stage = stage
      self.run = run
      self.result = result
      self.reason = reason
      self.differing = differing
    }
  }

  /// Time-sortable, like run ids.
  public var id: String
  public var artifact: String
  public var sha256: String
  public var pipeline: String
  public var commit: String
  /// Where the recipe came from: "workspace", or the DOI / bundle reproduced.
  public var source: String
  /// "identical", "within tolerance", "differs" or "cannot" (the worst stage's verdict).
  public var result: String
  public var started: String
  public var ended: String
  public var durationSeconds: Double
  public var stages: [StageResult]
  /// The reproducing machine and software (`HostFacts`, fairflow version).
  public var host: [(key: String, value: Value)]
  public var software: [(key: String, value: Value)]

  public init(
    id: String, artifact: String, sha256: String, pipeline: String, commit: String,
    source: String, result: String, started: String, ended: String, durationSeconds: Double,
    stages: [StageResult], host: [(key: String, value: Value)],
    software: [(key: String, value: Value)]
  ) {
    self.id = id
    self.artifact = artifact
    self.sha256 = sha256
    self.pipeline = pipeline
    self.commit = commit
    self.source = source
    self.result = result
    self.started = started
    self.ended = ended
    self.durationSeconds = durationSeconds
    self.stages = stages
    self.host = host
    self.software = software
  }

  /// The overall result of a set of verdicts: the worst one.
  public static func result(_ rows: [StageComparison]) -> String {
    let order: [StageComparison.Verdict] = [.differs, .cannot, .withinTolerance]
    for verdict in order where rows.contains(where: { $0.verdict == verdict }) {
      return verdict.rawValue
    }
    return StageComparison.Verdict.identical.rawValue
  }

  /// The host name, for one-line displays.
  public var hostname: String { Value.map(host)["hostname"]?.stringValue ?? "?" }

  /// "reproduced on HOST at TIME: RESULT (reproduction ID)", as `prov trace` shows it.
  public var summaryLine: String {
    "reproduced on \(hostname) at \(ended): \(result)"
      + (source == "workspace" ? "" : " from \(source)") + " (reproduction \(id))"
  }

  public var value: Value {
    .map([
      ("schema", .string(Self.schema)), ("id", .string(id)),
      (
        "artifact",
        .map([("path", .string(artifact)), ("sha256", .string(sha256))])
      ),
      ("pipeline", .string(pipeline)), ("commit", .string(commit)), ("source", .string(source)),
      ("result", .string(result)), ("started", .string(started)), ("ended", .string(ended)),
      ("duration_seconds", .double(durationSeconds)),
      (
        "stages",
        .list(
          stages.map { s in
            .map([
              ("stage", .string(s.stage)), ("run", .string(s.run)), ("result", .string(s.result)),
              ("reason", s.reason.map(Value.string) ?? .null),
              ("differing", .list(s.differing.map(Value.string))),
            ])
          })
      ),
      ("host", .map(host)), ("software", .map(software)),
    ])
  }

  public var json: String { value.prettyJSON }

  /// Decodes a stored record; `source` names it in errors.
  public init(json text: String, source file: String) throws(ProvenanceError) {
    func bad(_ what: String) -> ProvenanceError {
      ProvenanceError("\(file): malformed reproduction record: \(what)")
    }
    let value: Value
    do { value = try JSONParser.parse(text, file: file) } catch {
      throw bad(error.message)
    }
    guard value["schema"]?.stringValue == Self.schema else {
      throw bad("schema is not \(Self.schema)")
    }
    func string(_ v: Value?, _ key: String) throws(ProvenanceError) -> String {
      guard let s = v?.stringValue else { throw bad("'\(key)' missing") }
      return s
    }
    func pairs(_ key: String) -> [(key: String, value: Value)] {
      if case .map(let p)? = value[key] { return p }
      return []
    }
    var stages: [StageResult] = []
    for item in value["stages"]?.listValue ?? [] {
      stages.append(
        StageResult(
          stage: try string(item["stage"], "stages.stage"),
          run: try string(item["run"], "stages.run"),
          result: try string(item["result"], "stages.result"),
          reason: item["reason"]?.stringValue,
          differing: item["differing"]?.listValue?.compactMap(\.stringValue) ?? []))
    }
    self.init(
      id: try string(value["id"], "id"), artifact: try string(value["artifact"]?["path"], "path"),
      sha256: try string(value["artifact"]?["sha256"], "sha256"),
      pipeline: try string(value["pipeline"], "pipeline"),
      commit: try string(value["commit"], "commit"), source: try string(value["source"], "source"),
      result: try string(value["result"], "result"),
      started: try string(value["started"], "started"), ended: try string(value["ended"], "ended"),
      durationSeconds: value["duration_seconds"]?.doubleValue ?? 0, stages: stages,
      host: pairs("host"), software: pairs("software"))
  }

  public static func == (a: ReproductionRecord, b: ReproductionRecord) -> Bool {
    a.value == b.value
  }
}
