internal import FairflowBase
internal import Yams

/// `pipelines/NAME.lock`: the recorded state of every stage, meant to be committed and diffed.
///
/// Layout (YAML; strings are written as JSON-quoted scalars, numbers and maps in canonical
/// flow form, so the file is both valid YAML and byte-stable):
/// ```yaml
/// # fairflow lock file for pipelines/example.yaml — generated, commit it, do not edit
/// schema: 1
/// hash: sha256
/// stages:
///   "train@seed=1":
///     fingerprint: 3b1f…            # Fingerprint of the stage (run-cache key)
///     cmd: "python train.py --seed 1"
///     params: {"epochs":30}
///     env: {}
///     deps:
///       - {"digest":"ab…","path":"data/x.h5","size":123,"type":"file"}
///     outs:
///       - {"digest":"cd…","files":3,"path":"models/m1","size":456,"type":"directory"}
///     metrics: {"metrics/train-1.json":{"auc":0.98}}
///     run: "20261122T150102Z-3f2a"
/// ```
/// Stages are sorted by name, deps/outs by path and the keys of every map by name, so unrelated
/// changes never reorder lines.
public struct LockFile: Sendable {
  public static let schema = 1
  public var entries: [String: LockEntry]

  public init(entries: [String: LockEntry] = [:]) { self.entries = entries }

  public func encoded(pipelineFile: String) -> String {
    var out = "# fairflow lock file for \(pipelineFile) — generated, commit it, do not edit\n"
    out += "schema: \(LockFile.schema)\nhash: sha256\nstages:"
    if entries.isEmpty { return out + " {}\n" }
    out += "\n"
    for name in entries.keys.sorted() {
      let entry = entries[name]!
      out += "  \(Value.quote(name)):\n"
      out += "    fingerprint: \(entry.fingerprint.hex)\n"
      out += "    cmd: \(Value.quote(entry.command))\n"
      out += "    params: \(Value.map(entry.params.map { ($0.name, $0.value) }).canonicalText)\n"
      out += "    env: \(Value.map(entry.env.map { ($0.name, .string($0.value)) }).canonicalText)\n"
      out += LockFile.records("deps", entry.deps)
      out += LockFile.records("outs", entry.outs)
      if !entry.metrics.isEmpty {
        out +=
          "    metrics: \(Value.map(entry.metrics.map { ($0.path, $0.value) }).canonicalText)\n"
      }
      out += "    run: \(Value.quote(entry.run))\n"
    }
    return out
  }

  static func records(_ key: String, _ records: [PathRecord]) -> String {
    if records.isEmpty { return "    \(key): []\n" }
    var out = "    \(key):\n"
    for record in records.sorted(by: { $0.path < $1.path }) {
      var fields: [(key: String, value: Value)] = [
        ("path", .string(record.path)), ("digest", .string(record.digest.hex)),
        ("size", .int(record.size)),
        ("type", .string(record.kind.rawValue)),
      ]
      if let files = record.files { fields.append(("files", .int(files))) }
      out += "      - " + Value.map(fields).canonicalText + "\n"
    }
    return out
  }

  /// Parses a lock file; `file` names it in errors.
  public static func decode(_ text: String, file: String) throws(PipelineError) -> LockFile {
    var reader = NodeReader(file: file, lines: NodeReader.lines(of: text))
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else { return LockFile() }
      root = node
    } catch {
      throw reader.yamlError(error)
    }
    guard case .map(let top) = try reader.value(root) else {
      throw PipelineError(
        "\(file) is not a fairflow lock file", hint: "delete it to start from scratch")
    }
    func field(_ pairs: [(key: String, value: Value)], _ key: String) -> Value? {
      pairs.first { $0.key == key }?.value
    }
    guard field(top, "schema") == .int(schema), field(top, "hash") == .string("sha256") else {
      throw PipelineError(
        "\(file) has an unsupported schema or hash algorithm (expected schema \(schema), sha256)",
        hint: "it was written by a different fairflow version; delete it to re-record state")
    }
    var lock = LockFile()
    guard case .map(let stages)? = field(top, "stages") else { return lock }
    for (name, value) in stages {
      guard case .map(let e) = value, case .string(let fp)? = field(e, "fingerprint"),
        let fingerprint = Digest(hex: fp),
        case .string(let cmd)? = field(e, "cmd"), case .string(let run)? = field(e, "run")
      else {
        throw PipelineError(
          "\(file): malformed entry for stage '\(name)'",
          hint: "delete the lock file to re-record state")
      }
      let params = pairs(field(e, "params")).map { (name: $0.key, value: $0.value) }
      let env = pairs(field(e, "env")).map { (name: $0.key, value: $0.value.interpolationText) }
      let metrics = pairs(field(e, "metrics")).map { (path: $0.key, value: $0.value) }
      lock.entries[name] = LockEntry(
        stage: name, fingerprint: fingerprint, command: cmd, params: params, env: env,
        deps: try pathRecords(field(e, "deps"), stage: name, file: file),
        outs: try pathRecords(field(e, "outs"), stage: name, file: file), metrics: metrics, run: run
      )
    }
    return lock
  }

  static func pairs(_ value: Value?) -> [(key: String, value: Value)] {
    if case .map(let pairs)? = value { return pairs }
    return []
  }

  static func pathRecords(_ value: Value?, stage: String, file: String) throws(PipelineError)
    -> [PathRecord]
  {
    guard case .list(let items)? = value else { return [] }
    var records: [PathRecord] = []
    for item in items {
      let fields = pairs(item)
      func get(_ key: String) -> Value? { fields.first { $0.key == key }?.value }
      guard case .string(let path)? = get("path"), case .string(let hex)? = get("digest"),
        let digest = Digest(hex: hex),
        case .int(let size)? = get("size"), case .string(let type)? = get("type"),
        let kind = PathRecord.Kind(rawValue: type)
      else {
        throw PipelineError(
          "\(file): malformed path record in stage '\(stage)'",
          hint: "delete the lock file to re-record state")
      }
      var files: Int?
      if case .int(let n)? = get("files") { files = n }
      records.append(PathRecord(path: path, digest: digest, size: size, kind: kind, files: files))
    }
    return records
  }
}
