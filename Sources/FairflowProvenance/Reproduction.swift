public import FairflowBase
internal import FairflowCore

/// `fairflow reproduce PATH`: the plan to re-execute the lineage of an artifact in a scratch
/// workspace built from the recorded code commit (docs/decisions/015-reproduce.md, part 1).
///
/// `plan` is pure: it takes the traced lineage and two questions about the world (what git holds
/// at the commit, what the object store holds) and says what to run and what to place, or refuses.
public struct ReproductionPlan: Sendable {
  /// An input of the lineage that no recorded stage produced.
  public struct Root: Sendable, Equatable {
    public enum Source: String, Sendable {
      /// In the commit's tree with this content: materialised with the tree.
      case tree
      /// Copied by digest from the workspace's object store.
      case objectStore = "object store"
    }
    public var path: String
    public var sha256: String
    public var isDirectory: Bool
    public var source: Source

    public init(path: String, sha256: String, isDirectory: Bool, source: Source) {
      self.path = path
      self.sha256 = sha256
      self.isDirectory = isDirectory
      self.source = source
    }
  }

  /// The artifact asked about (workspace-relative) and its content digest.
  public var target: String
  public var sha256: String
  /// Every stage of the lineage, inputs first (each original producer once).
  public var stages: [ProvenanceRecord]
  /// The stage that produced the target: `run --stage LEAF` re-executes the whole lineage.
  public var leaf: ProvenanceRecord
  /// The workspace-relative pipeline file and the code commit all records name.
  public var pipeline: String
  public var commit: String
  public var roots: [Root]
  /// `-p NAME=VALUE` for the scalar params the records used (so a run with `-p` reproduces), and
  /// `-p NAME:=JSON` for lists, maps and strings that would read as another type.
  public var overrides: [String]
  /// Params whose recorded value cannot be given to `-p` at all (NaN or infinity inside a list
  /// or map): the scratch run uses the pipeline's value at the commit.
  public var unpassable: [String]
}

/// Why a lineage cannot be reproduced (exit 2: nothing was run).
public struct ReproductionRefusal: FairflowError, Equatable {
  public var message: String
  public var hint: String?
  public var exitStatus: ExitStatus { .invalidInput }

  public init(_ message: String, hint: String? = nil) {
    self.message = message
    self.hint = hint
  }
}

public enum Reproduction {
  /// What git and the object store hold, asked by `plan`.
  public struct World {
    /// The SHA-256 of the file at a workspace-relative path in the commit's tree (nil: absent).
    public var treeDigest: (String) -> String?
    /// Whether the object store can give back this content (a file, or a directory's files).
    public var storeHas: (_ sha256: String, _ isDirectory: Bool) -> Bool

    public init(
      treeDigest: @escaping (String) -> String?,
      storeHas: @escaping (_ sha256: String, _ isDirectory: Bool) -> Bool
    ) {
      self.treeDigest = treeDigest
      self.storeHas = storeHas
    }
  }

  /// The plan for `node` (a traced artifact), or the first refusal, naming the stage.
  public static func plan(_ node: Tracer.Node, world: World) throws(ReproductionRefusal)
    -> ReproductionPlan
  {
    guard let leaf = node.producer else {
      let how =
        node.origin.map { o in "fetched data (\(o.doi.map { "doi:" + $0 } ?? o.url ?? "?"))" }
        ?? "no provenance record lists its content (sha256 \(node.sha256.prefix(12)))"
      throw ReproductionRefusal(
        "\(node.path) was not produced by a recorded fairflow stage: \(how)",
        hint: "reproduce an output of `fairflow run` (`fairflow prov trace \(node.path)` shows it)")
    }
    var stages: [ProvenanceRecord] = []
    var inputs: [(Tracer.Node, consumer: ProvenanceRecord)] = []
    var seen: Set<String> = []
    collect(node, consumer: nil, stages: &stages, roots: &inputs, seen: &seen)
    let commit = try checkCode(stages, leaf: leaf)
    guard world.treeDigest(leaf.pipeline) != nil else {
      throw ReproductionRefusal(
        "the pipeline \(leaf.pipeline) of stage '\(leaf.stage)' is not tracked in git at "
          + "\(commit.prefix(12))",
        hint: "commit the pipeline file and run again")
    }
    var roots: [ReproductionPlan.Root] = []
    var placed: Set<String> = []
    for (root, consumer) in inputs where placed.insert(root.path + "\t" + root.sha256).inserted {
      let dep = consumer.deps.first { $0.path == root.path && $0.sha256 == root.sha256 }
      let isDirectory = dep?.isDirectory ?? false
      if !isDirectory, world.treeDigest(root.path) == root.sha256 {
        roots.append(.init(path: root.path, sha256: root.sha256, isDirectory: false, source: .tree))
      } else if world.storeHas(root.sha256, isDirectory) {
        roots.append(
          .init(
            path: root.path, sha256: root.sha256, isDirectory: isDirectory, source: .objectStore))
      } else {
        let what =
          root.origin.map { "fetched data (doi/url: \($0.doi ?? $0.url ?? "?"))" }
          ?? root.source ?? "an input"
        throw ReproductionRefusal(
          "input \(root.path) of stage '\(consumer.stage)' (\(what)) is neither in git at "
            + "\(commit.prefix(12)) with the recorded content nor in the object store "
            + "(sha256 \(root.sha256.prefix(12)))",
          hint: "commit the file, or keep it in the cache (`fairflow cache gc` may have removed it)"
        )
      }
    }
    let (overrides, unpassable) = try parameters(stages)
    return ReproductionPlan(
      target: node.path, sha256: node.sha256, stages: stages, leaf: leaf,
      pipeline: leaf.pipeline, commit: commit, roots: roots, overrides: overrides,
      unpassable: unpassable)
  }

  /// The records' params as `-p` overrides; refuses one param recorded with two values.
  static func parameters(_ stages: [ProvenanceRecord]) throws(ReproductionRefusal) -> (
    [String], [String]
  ) {
    var values: [(name: String, value: Value, stage: String)] = []
    for record in stages {
      for (name, value) in record.params {
        if let known = values.first(where: { $0.name == name }) {
          guard known.value == value else {
            throw ReproductionRefusal(
              "the lineage used two values of param '\(name)': \(known.value.canonicalText) in "
                + "stage '\(known.stage)', \(value.canonicalText) in stage '\(record.stage)'",
              hint: "`fairflow run --force` with one value records a consistent lineage")
          }
          continue
        }
        values.append((name, value, record.stage))
      }
    }
    var overrides: [String] = []
    var unpassable: [String] = []
    for (name, value, _) in values.sorted(by: { $0.name < $1.name }) {
      if let text = overrideText(value) {
        overrides.append(name + "=" + text)
      } else if let json = jsonText(value) {
        overrides.append(name + ":=" + json)
      } else {
        unpassable.append(name)
      }
    }
    return (overrides, unpassable)
  }

  /// Text that `-p` types back to exactly `value` (scalars only; conservative for strings).
  static func overrideText(_ value: Value) -> String? {
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d):
      if d.isNaN { return ".nan" }
      if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
      return "\(d)"
    case .string(let s):
      let allowed = s.unicodeScalars.allSatisfy {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
          || "_./@+-".unicodeScalars.contains($0)
      }
      let lower = s.lowercased()
      let looksTyped =
        Int(s) != nil || Double(s) != nil
        || ["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(lower)
        || lower.hasPrefix("0x") || lower.hasPrefix("0o") || lower.hasPrefix(".")
        || lower.hasPrefix("+") || lower.hasPrefix("-")
        || s.allSatisfy { $0.isNumber || $0 == "_" || $0 == "." }
      return !s.isEmpty && allowed && !looksTyped ? s : nil
    case .list, .map: return nil
    }
  }

  /// JSON that `-p NAME:=JSON` reads back to exactly `value` (nil: NaN or infinity inside).
  static func jsonText(_ value: Value) -> String? {
    let text = value.canonicalText
    guard let back = try? JSONParser.parse(text, file: "param"), back == value else { return nil }
    return text
  }

  /// Depth first, inputs before the stage that used them; each producer once.
  static func collect(
    _ node: Tracer.Node, consumer: ProvenanceRecord?, stages: inout [ProvenanceRecord],
    roots: inout [(Tracer.Node, consumer: ProvenanceRecord)], seen: inout Set<String>
  ) {
    // A dependency with the same content as its consumer's own output (`cp a b`) traces back
    // to the consumer: it is an input, not a stage.
    guard let producer = node.producer,
      producer.run != consumer?.run || producer.stage != consumer?.stage
    else {
      if let consumer { roots.append((node, consumer)) }
      return
    }
    for input in node.inputs {
      collect(input, consumer: producer, stages: &stages, roots: &roots, seen: &seen)
    }
    if seen.insert(producer.run + "\t" + producer.stage).inserted { stages.append(producer) }
  }

  /// Refuses dirty trees, missing or mixed commits and pipelines, and redacted records; returns
  /// the one code commit.
  static func checkCode(_ stages: [ProvenanceRecord], leaf: ProvenanceRecord)
    throws(ReproductionRefusal) -> String
  {
    guard let commit = leaf.context.commit else {
      throw ReproductionRefusal(
        "stage '\(leaf.stage)' (run \(leaf.run)) was not run at a git commit; "
          + "there is no recorded code to rebuild",
        hint: "run the pipeline in a git repository with the code committed")
    }
    for record in stages {
      let code = Value.map(record.context.code)
      if code["dirty"] == .bool(true) {
        let diff = code["diff_sha256"]?.stringValue.map { " (diff sha256 \($0.prefix(12)))" } ?? ""
        throw ReproductionRefusal(
          "stage '\(record.stage)' ran (run \(record.run)) with uncommitted changes to tracked "
            + "files\(diff); the code it ran cannot be rebuilt from git history",
          hint: "commit the changes and run the pipeline again, then reproduce")
      }
      guard let other = record.context.commit else {
        throw ReproductionRefusal(
          "stage '\(record.stage)' (run \(record.run)) was not run at a git commit")
      }
      if other != commit {
        throw ReproductionRefusal(
          "the lineage mixes code commits: stage '\(record.stage)' ran at \(other.prefix(12)), "
            + "stage '\(leaf.stage)' at \(commit.prefix(12))",
          hint: "`fairflow run --force` at one commit records a single-commit lineage")
      }
      if record.pipeline != leaf.pipeline {
        throw ReproductionRefusal(
          "the lineage mixes pipelines: stage '\(record.stage)' ran from \(record.pipeline), "
            + "stage '\(leaf.stage)' from \(leaf.pipeline)")
      }
      let redacted = (record.params + record.env).filter { $0.value == .string("<redacted>") }
      if let first = redacted.first {
        throw ReproductionRefusal(
          "stage '\(record.stage)' (run \(record.run)) has a redacted (secret) value "
            + "'\(first.key)'; its recorded inputs are incomplete",
          hint: "reproduction of stages with secret params or env is not supported")
      }
    }
    return commit
  }
}
