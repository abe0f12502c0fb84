internal import FairflowBase
internal import Yams

/// The pipeline and stage grammar, on top of `NodeReader`'s typed accessors.
extension NodeReader {
  mutating func pipeline(_ root: Node) throws(PipelineError) -> PipelineSpec {
    let top = try pairs(root, what: "the pipeline file")
    try checkKeys(top, allowed: PipelineLoader.topLevelKeys, in: "the pipeline file")
    var spec = PipelineSpec(
      file: file, name: "", description: nil, params: [], paramLocations: [:], env: [], stages: [],
      sourceLines: lines)
    var stagesNode: Node?
    for (key, _, value) in top {
      switch key {
      case "pipeline": spec.name = try string(value, what: "'pipeline'").value
      case "description": spec.description = try string(value, what: "'description'").value
      case "params":
        for pair in try pairs(value, what: "'params'") {
          spec.params.append((pair.key, try self.value(pair.value)))
          spec.paramLocations[pair.key] = location(pair.keyNode)
        }
      case "env": spec.env = try env(value, what: "'env'")
      case "slurm": spec.slurm = try slurm(value)
      default: stagesNode = value
      }
    }
    guard let stagesNode else {
      throw error(
        "missing 'stages:' mapping", at: root, hint: "add 'stages:' with at least one stage")
    }
    let stagePairs = try pairs(stagesNode, what: "'stages'")
    if stagePairs.isEmpty {
      throw error("'stages' is empty", at: stagesNode, hint: "declare at least one stage")
    }
    for pair in stagePairs {
      spec.stages.append(try stage(named: pair.key, keyNode: pair.keyNode, pair.value))
    }
    return spec
  }

  mutating func stage(named name: String, keyNode: Node, _ node: Node) throws(PipelineError)
    -> StageSpec
  {
    guard StageName.isValid(name) else {
      throw error("invalid stage name '\(name)'", at: keyNode, hint: StageName.rule)
    }
    let what = "stage '\(name)'"
    if case .scalar = node, node.tagName == .null {
      throw error(
        "expected a mapping for \(what), found nothing (null)", at: keyNode,
        hint: "put its keys (cmd:, deps:, outs:, ...) on the lines below it, indented further")
    }
    let fields = try pairs(node, what: what)
    try checkKeys(fields, allowed: PipelineLoader.stageKeys, in: what)
    var stage = StageSpec(
      name: Located(name, at: location(keyNode)), cmd: nil, uses: nil, with: nil, deps: [],
      outs: [], metrics: [], params: [], env: [], resources: Resources(), alwaysRun: false,
      matrix: nil, description: nil)
    for (key, _, value) in fields {
      switch key {
      case "cmd": stage.cmd = try command(value, what: "'cmd' of \(what)")
      case "uses": stage.uses = try string(value, what: "'uses' of \(what)")
      case "with": stage.with = Located(try self.value(value), at: location(value))
      case "deps": stage.deps = try strings(value, what: "'deps' of \(what)")
      case "outs": stage.outs = try outputs(value, what: "'outs' of \(what)")
      case "metrics": stage.metrics = try outputs(value, what: "'metrics' of \(what)")
      case "params": stage.params = try strings(value, what: "'params' of \(what)")
      case "env": stage.env = try env(value, what: "'env' of \(what)")
      case "resources": stage.resources = try resources(value, what: "'resources' of \(what)")
      case "always_run": stage.alwaysRun = try bool(value, what: "'always_run' of \(what)")
      case "matrix": stage.matrix = try matrix(value, stage: name, what: "'matrix' of \(what)")
      case "executor": stage.executor = try executor(value, what: "'executor' of \(what)")
      case "deterministic", "tolerance": continue
      default: stage.description = try string(value, what: "'desc' of \(what)").value
      }
    }
    switch (stage.cmd, stage.uses) {
    case (nil, nil):
      throw error(
        "\(what) has neither 'cmd' nor 'uses'", at: keyNode,
        hint: "give a shell command with 'cmd:' or a built-in stage kind with 'uses:'")
    case (.some, .some(let uses)):
      throw error(
        "\(what) has both 'cmd' and 'uses'", at: uses.location,
        hint: "a stage is either a command or a built-in")
    default: break
    }
    if stage.with != nil, stage.uses == nil {
      throw error(
        "'with' of \(what) needs 'uses'", at: fields.first { $0.key == "with" }!.keyNode,
        hint: "'with:' configures a built-in stage kind; commands take their arguments in 'cmd:'")
    }
    stage.reproducibility = try reproducibility(fields, what: what)
    if stage.outs.isEmpty, stage.metrics.isEmpty, !stage.alwaysRun {
      throw error(
        "\(what) declares no outputs", at: keyNode,
        hint: "list what it writes under 'outs:' or 'metrics:' (or set 'always_run: true')")
    }
    return stage
  }

  /// `cmd:` as a string, or a list of commands run in order (joined with `&&`).
  func command(_ node: Node, what: String) throws(PipelineError) -> Located<String> {
    if case .sequence(let sequence) = node {
      guard !sequence.isEmpty else { throw error("\(what) is an empty list", at: node) }
      let parts = try strings(node, what: what)
      return Located(parts.map(\.value).joined(separator: " && "), at: location(node))
    }
    let cmd = try string(node, what: what)
    if cmd.value.allSatisfy(\.isWhitespace) { throw error("\(what) is empty", at: node) }
    return cmd
  }

  func outputs(_ node: Node, what: String) throws(PipelineError) -> [OutputSpec] {
    let items: [Node]
    switch node {
    case .sequence(let sequence): items = Array(sequence)
    case .scalar where node.tagName != .null: items = [node]
    default: throw error("expected a list of paths for \(what), found \(describe(node))", at: node)
    }
    var result: [OutputSpec] = []
    for item in items {
      if case .mapping = item {
        let fields = try pairs(item, what: "an entry of \(what)")
        try checkKeys(fields, allowed: PipelineLoader.outputKeys, in: "an entry of \(what)")
        guard let path = fields.first(where: { $0.key == "path" }) else {
          throw error(
            "an entry of \(what) has no 'path'", at: item,
            hint: "write '- path: FILE' (with optional cache/persist)")
        }
        var out = OutputSpec(
          path: try string(path.value, what: "'path' in an entry of \(what)"), cache: true,
          persist: false)
        for field in fields where field.key != "path" {
          let flag = try bool(field.value, what: "'\(field.key)' in an entry of \(what)")
          if field.key == "cache" { out.cache = flag } else { out.persist = flag }
        }
        result.append(out)
      } else {
        result.append(
          OutputSpec(
            path: try string(item, what: "an entry of \(what)"), cache: true, persist: false))
      }
    }
    return result
  }

  mutating func env(_ node: Node, what: String) throws(PipelineError) -> [(
    key: Located<String>, value: Located<String>
  )] {
    var result: [(key: Located<String>, value: Located<String>)] = []
    for pair in try pairs(node, what: what) {
      guard EnvironmentName.isValid(pair.key) else {
        throw error(
          "invalid environment variable name '\(pair.key)' in \(what)", at: pair.keyNode,
          hint: "names are letters, digits and '_', not starting with a digit")
      }
      let value: Located<String>
      switch try self.value(pair.value) {
      case .string(let s): value = Located(s, at: location(pair.value))
      case .int, .double, .bool:
        value = Located((try self.value(pair.value)).interpolationText, at: location(pair.value))
      default:
        throw error(
          "expected a string, number or boolean for environment variable '\(pair.key)' in \(what), found \(describe(pair.value))",
          at: pair.value)
      }
      result.append((Located(pair.key, at: location(pair.keyNode)), value))
    }
    return result
  }

  func resources(_ node: Node, what: String) throws(PipelineError) -> Resources {
    let fields = try pairs(node, what: what)
    try checkKeys(fields, allowed: PipelineLoader.resourceKeys, in: what)
    var resources = Resources()
    for (key, _, value) in fields {
      switch key {
      case "cpus": resources.cpus = try int(value, what: "'cpus' in \(what)", range: 1...4096)
      case "gpus": resources.gpus = try int(value, what: "'gpus' in \(what)", range: 0...1024)
      case "time": resources.timeSeconds = try timeLimit(value, what: "'time' in \(what)")
      default:
        let text = try string(value, what: "'\(key)' in \(what)")
        guard let bytes = ByteSize.parse(text.value) else {
          throw error(
            "invalid memory size '\(text.value)' in \(what)", at: value,
            hint: "use a number with a unit, e.g. 512M, 4G")
        }
        resources.memoryBytes = bytes
      }
    }
    return resources
  }

  /// `executor: local|slurm`.
  func executor(_ node: Node, what: String) throws(PipelineError) -> ExecutorKind {
    let text = try string(node, what: what)
    guard let kind = ExecutorKind(rawValue: text.value) else {
      let names = ExecutorKind.allCases.map(\.rawValue)
      throw error(
        "unknown executor '\(text.value)' in \(what)", at: node,
        hint: Suggestion.hint(for: text.value, in: names)
          ?? "use one of: \(names.joined(separator: ", "))")
    }
    return kind
  }

  /// A time limit: minutes as a number, Slurm's `[D-]HH:MM:SS` forms, or `90s`/`30m`/`2h`/`1d`.
  func timeLimit(_ node: Node, what: String) throws(PipelineError) -> Int {
    let text: String
    if case .scalar(let scalar) = node, node.tagName == .int {
      text = scalar.string
    } else {
      text = try string(node, what: what).value
    }
    guard let seconds = TimeLimit.parse(text) else {
      throw error(
        "invalid time limit '\(text)' in \(what)", at: node,
        hint: "use minutes (30), HH:MM:SS (02:00:00), D-HH:MM:SS, or a unit: 90s, 30m, 2h, 1d")
    }
    return seconds
  }

  /// The pipeline's `slurm:` section.
  func slurm(_ node: Node) throws(PipelineError) -> SlurmSettings {
    let what = "'slurm'"
    let fields = try pairs(node, what: what)
    try checkKeys(fields, allowed: PipelineLoader.slurmKeys, in: what)
    var settings = SlurmSettings()
    for (key, _, value) in fields {
      switch key {
      case "partition": settings.partition = try string(value, what: "'partition' in \(what)").value
      case "account": settings.account = try string(value, what: "'account' in \(what)").value
      case "qos": settings.qos = try string(value, what: "'qos' in \(what)").value
      case "time": settings.defaultTimeSeconds = try timeLimit(value, what: "'time' in \(what)")
      default:
        settings.options = try strings(value, what: "'options' in \(what)").map(\.value)
      }
    }
    return settings
  }

  mutating func matrix(_ node: Node, stage: String, what: String) throws(PipelineError) -> Located<
    [(key: String, values: [Value])]
  > {
    var axes: [(key: String, values: [Value])] = []
    var combinations = 1
    let fields = try pairs(node, what: what)
    if fields.isEmpty { throw error("\(what) is empty", at: node) }
    for pair in fields {
      guard StageName.isValidMatrixKey(pair.key) else {
        throw error(
          "invalid matrix key '\(pair.key)'", at: pair.keyNode, hint: "use letters, digits and '_'")
      }
      guard case .sequence(let sequence) = pair.value, !sequence.isEmpty else {
        let isList: Bool
        if case .sequence = pair.value { isList = true } else { isList = false }
        var hint: String?
        if case .scalar(let scalar) = pair.value, pair.value.tagName != .null {
          hint = "write it as a list: '\(pair.key): [\(scalar.string)]'"
        }
        throw error(
          "expected a non-empty list of values for matrix key '\(pair.key)', found \(isList ? "an empty list" : describe(pair.value))",
          at: pair.value, hint: hint)
      }
      var values: [Value] = []
      for (index, item) in sequence.enumerated() {
        let entry = "entry \(index + 1) of matrix key '\(pair.key)'"
        switch try value(item) {
        case .null:
          throw error(
            "\(entry) is null", at: item, hint: "quote it ('null') to use the word as a value")
        case .list, .map:
          throw error(
            "\(entry) is \(describe(item)); matrix values must be numbers, strings or booleans",
            at: item, hint: "give each setting its own matrix key (every combination runs)")
        case let scalar:
          if let character = StageName.ambiguousCharacter(inMatrixValue: scalar.interpolationText) {
            throw error(
              "matrix value \(StageName.shown(scalar.interpolationText)) (\(entry)) contains \(StageName.describe(character))",
              at: item,
              hint: "matrix values become part of stage names (\(stage)@\(pair.key)=...), so they "
                + "cannot contain ',', '=', '/', whitespace or control characters; use a short label"
            )
          }
          values.append(scalar)
        }
      }
      combinations = combinations.multipliedReportingOverflow(by: values.count).partialValue
      if combinations > MatrixLimits.maxStagesPerMatrix || combinations < 0 {
        throw error(
          "\(what) expands to more than \(MatrixLimits.maxStagesPerMatrix) stages", at: node,
          hint: "split the matrix or generate the work inside one stage")
      }
      axes.append((pair.key, values))
    }
    return Located(axes, at: location(node))
  }
}

/// Limits that keep hostile or mistaken matrices from exhausting memory.
public enum MatrixLimits {
  public static let maxStagesPerMatrix = 20_000
  public static let maxStagesPerPipeline = 50_000
}

/// Rules for stage and matrix names.
public enum StageName {
  public static let rule =
    "stage names use letters, digits, '_', '-' and '.', and start with a letter, digit or '_'"

  public static func isValid(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 200 else {
      return false
    }
    return (isWord(first) && first != "-" && first != ".")
      && name.unicodeScalars.allSatisfy { isWord($0) || $0 == "-" || $0 == "." }
  }

  static func isValidMatrixKey(_ key: String) -> Bool {
    !key.isEmpty && key.unicodeScalars.allSatisfy(isWord)
  }

  static func isWord(_ s: Unicode.Scalar) -> Bool {
    (s >= "a" && s <= "z") || (s >= "A" && s <= "Z") || (s >= "0" && s <= "9") || s == "_"
  }

  /// The first character of a matrix value that would make stage names ambiguous or unsafe to
  /// show: ',' and '=' separate the coordinates in `train@seed=1,lr=0.1`, '/' reads as a path,
  /// whitespace splits command-line arguments, and control characters garble terminals.
  static func ambiguousCharacter(inMatrixValue text: String) -> Unicode.Scalar? {
    text.unicodeScalars.first {
      $0 == "," || $0 == "=" || $0 == "/" || $0.properties.isWhitespace
        || $0.properties.generalCategory == .control
    }
  }

  /// A character as an error message names it: `','`, `a space`, `a tab`, `U+00A0`.
  static func describe(_ scalar: Unicode.Scalar) -> String {
    let code = String(scalar.value, radix: 16, uppercase: true)
    let unicode = "U+" + String(repeating: "0", count: max(0, 4 - code.count)) + code
    switch scalar {
    case " ": return "a space"
    case "\t": return "a tab"
    case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": return "a line break (\(unicode))"
    case _ where scalar.properties.isWhitespace: return "whitespace (\(unicode))"
    case _ where scalar.properties.generalCategory == .control:
      return "a control character (\(unicode))"
    default: return "'\(scalar)'"
    }
  }

  /// A value quoted for a message: in single quotes, or as a JSON string when it holds control
  /// characters or line breaks (never echoed raw); long values are shortened.
  static func shown(_ text: String) -> String {
    let short = text.count > 40 ? String(text.prefix(37)) + "..." : text
    let plain = short.unicodeScalars.allSatisfy {
      $0.properties.generalCategory != .control && $0 != "\u{2028}" && $0 != "\u{2029}"
    }
    return plain ? "'\(short)'" : Value.quote(short)
  }
}

/// Rules for environment variable names.
public enum EnvironmentName {
  public static func isValid(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, !(first >= "0" && first <= "9") else {
      return false
    }
    return name.unicodeScalars.allSatisfy(StageName.isWord)
  }
}

/// Parses sizes such as `512M`, `4G`, `1.5GiB` into bytes (binary units).
public enum ByteSize {
  public static func parse(_ text: String) -> Int? {
    let trimmed = text.trimmingWhitespace().uppercased()
    let t = 1_099_511_627_776.0, g = 1_073_741_824.0, m = 1_048_576.0, k = 1024.0
    let units: [(String, Double)] = [
      ("TIB", t), ("GIB", g), ("MIB", m), ("KIB", k), ("TB", t),
      ("GB", g), ("MB", m), ("KB", k), ("T", t), ("G", g),
      ("M", m), ("K", k), ("B", 1),
    ]
    for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
      guard let number = Double(trimmed.dropLast(suffix.count)), number >= 0, number * factor < 1e18
      else {
        return nil
      }
      return Int(number * factor)
    }
    guard let number = Int(trimmed), number >= 0 else { return nil }
    return number
  }
}

extension String {
  func trimmingWhitespace() -> String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
