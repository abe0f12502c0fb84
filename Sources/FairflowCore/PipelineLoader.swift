internal import Yams

/// Reads a pipeline file (YAML) into a `PipelineSpec`, validating every key and type.
///
/// Every error names `file:line:column`, what was expected, and for unknown keys the nearest
/// valid key (edit distance ≤ 3). Unknown keys are errors, duplicate keys are errors, and the
/// number of YAML nodes visited is bounded so alias "bombs" fail fast instead of exhausting memory.
public enum PipelineLoader {
  static let topLevelKeys = ["pipeline", "description", "params", "env", "stages"]
  static let stageKeys = [
    "cmd", "uses", "with", "deps", "outs", "metrics", "params", "env", "resources", "always_run",
    "matrix", "desc",
  ]
  static let outputKeys = ["path", "cache", "persist"]
  static let resourceKeys = ["cpus", "memory", "gpus"]
  /// Upper bound on YAML nodes walked (aliases count each time they are reached).
  static let maxNodes = 2_000_000

  /// Parses `text`, reporting locations against `file` (the path as the user should see it).
  public static func load(text: String, file: String) throws(PipelineError) -> PipelineSpec {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var reader = NodeReader(file: file, lines: lines)
    let root: Node
    do {
      guard let composed = try Yams.compose(yaml: text) else {
        throw reader.error(
          "the pipeline file is empty", at: nil,
          hint: "a pipeline needs a 'stages:' mapping")
      }
      root = composed
    } catch let error as PipelineError {
      throw error
    } catch {
      throw reader.yamlError(error)
    }
    return try reader.pipeline(root)
  }
}

/// Walks Yams nodes with location-aware, typed accessors.
struct NodeReader {
  let file: String
  let lines: [Substring]
  var visited = 0

  init(file: String, lines: [Substring]) {
    self.file = file
    self.lines = lines
  }

  func location(_ node: Node) -> SourceLocation {
    let mark = node.mark
    return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
  }

  func error(_ problem: String, at node: Node?, hint: String? = nil) -> PipelineError {
    guard let node else {
      return PipelineError(problem, at: SourceLocation(file: file, line: 1, column: 1), hint: hint)
    }
    return error(problem, at: location(node), hint: hint)
  }

  func error(_ problem: String, at location: SourceLocation, hint: String? = nil) -> PipelineError {
    let index = location.line - 1
    let line = lines.indices.contains(index) ? String(lines[index]) : nil
    return PipelineError(problem, at: location, hint: hint, sourceLine: line)
  }

  func yamlError(_ error: any Error) -> PipelineError {
    guard let yaml = error as? YamlError else {
      return PipelineError(
        "cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
    }
    switch yaml {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      var where_ = SourceLocation(file: file, line: mark.line, column: mark.column)
      var extra =
        context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
      var hint: String?
      if problem.contains("end of stream"), let context {
        // Pointing at the end of the file helps nobody: point where the unfinished thing began.
        where_ = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
        extra = " (\(context.text))"
        hint = "a quote or bracket opened here is never closed"
      }
      let line = lines.indices.contains(where_.line - 1) ? lines[where_.line - 1] : ""
      if line.hasPrefix("\t") || line.drop(while: { $0 == " " }).hasPrefix("\t") {
        hint = "YAML does not allow tabs for indentation; use spaces"
      } else if hint == nil, line.contains("${"), line.contains("[") || line.contains("{") {
        hint =
          "inside [ ] or { }, quote values that contain '${...}' (\"data/${matrix.seed}.csv\") or use a block list"
      }
      return self.error("invalid YAML: \(problem)\(extra)", at: where_, hint: hint)
    case .duplicatedKeysInMapping(let duplicates, let context):
      return duplicateKeyError(duplicates.sorted().first ?? "?", mappingLine: context.mark.line)
    case .reader(let problem, _, _, _):
      return PipelineError(
        "invalid YAML input: \(problem)", at: SourceLocation(file: file, line: 1, column: 1),
        hint: "pipeline files must be UTF-8 text")
    default:
      return PipelineError(
        "cannot parse YAML: \(yaml)", at: SourceLocation(file: file, line: 1, column: 1))
    }
  }

  /// Yams rejects duplicate keys itself, naming only the mapping: find the second occurrence.
  func duplicateKeyError(_ key: String, mappingLine: Int) -> PipelineError {
    var seen: [Int: Int] = [:]  // indentation → first line
    for index in max(0, mappingLine - 1)..<lines.count {
      let line = lines[index]
      let indent = line.prefix { $0 == " " }.count
      let rest = line.dropFirst(indent)
      guard
        rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':")
      else { continue }
      if let first = seen[indent] {
        return error(
          "duplicate key '\(key)' (first defined on line \(first + 1))",
          at: SourceLocation(file: file, line: index + 1, column: indent + 1),
          hint: "each key may appear once in a mapping")
      }
      seen[indent] = index
    }
    return error(
      "duplicate key '\(key)'", at: SourceLocation(file: file, line: mappingLine, column: 1),
      hint: "each key may appear once in a mapping")
  }

  // MARK: - Typed accessors

  /// The pairs of a mapping node, rejecting duplicate and non-string keys.
  func pairs(_ node: Node, what: String) throws(PipelineError) -> [(
    key: String, keyNode: Node, value: Node
  )] {
    guard case .mapping(let mapping) = node else {
      throw error("expected a mapping for \(what), found \(describe(node))", at: node)
    }
    var seen: [String: Node] = [:]
    var result: [(key: String, keyNode: Node, value: Node)] = []
    for (keyNode, value) in mapping {
      guard case .scalar(let scalar) = keyNode else {
        throw error("expected a string key in \(what), found \(describe(keyNode))", at: keyNode)
      }
      let key = scalar.string
      if let first = seen[key] {
        let firstLine = location(first).line
        throw error(
          "duplicate key '\(key)' in \(what) (first defined on line \(firstLine))", at: keyNode)
      }
      seen[key] = keyNode
      result.append((key, keyNode, value))
    }
    return result
  }

  /// Rejects keys outside `allowed`, suggesting the nearest one.
  func checkKeys(
    _ pairs: [(key: String, keyNode: Node, value: Node)], allowed: [String], in what: String
  )
    throws(PipelineError)
  {
    for pair in pairs where !allowed.contains(pair.key) {
      let hint =
        Suggestion.hint(for: pair.key, in: allowed)
        ?? "valid keys are: \(allowed.joined(separator: ", "))"
      throw error("unknown key '\(pair.key)' in \(what)", at: pair.keyNode, hint: hint)
    }
  }

  func string(_ node: Node, what: String) throws(PipelineError) -> Located<String> {
    guard case .scalar(let scalar) = node, node.tagName != .null else {
      throw error("expected a string for \(what), found \(describe(node))", at: node)
    }
    return Located(scalar.string, at: location(node))
  }

  func bool(_ node: Node, what: String) throws(PipelineError) -> Bool {
    guard case .scalar = node, node.tagName == .bool, let value = node.bool else {
      throw error("expected true or false for \(what), found \(describe(node))", at: node)
    }
    return value
  }

  func int(_ node: Node, what: String, range: ClosedRange<Int>) throws(PipelineError) -> Int {
    guard case .scalar = node, node.tagName == .int, let value = node.int else {
      throw error("expected an integer for \(what), found \(describe(node))", at: node)
    }
    guard range.contains(value) else {
      throw error(
        "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(value)",
        at: node)
    }
    return value
  }

  /// A list of strings; a single string is accepted as a one-element list.
  func strings(_ node: Node, what: String) throws(PipelineError) -> [Located<String>] {
    if case .scalar = node { return [try string(node, what: what)] }
    guard case .sequence(let sequence) = node else {
      throw error("expected a list of strings for \(what), found \(describe(node))", at: node)
    }
    var result: [Located<String>] = []
    for item in sequence { result.append(try string(item, what: "an entry of \(what)")) }
    return result
  }

  /// Converts any node to a `Value`, bounded by `PipelineLoader.maxNodes`.
  mutating func value(_ node: Node) throws(PipelineError) -> Value {
    visited += 1
    if visited > PipelineLoader.maxNodes {
      throw error(
        "the YAML document is too large after expanding aliases (more than \(PipelineLoader.maxNodes) nodes)",
        at: node, hint: "remove recursive or repeated anchors (&name / *name)")
    }
    switch node {
    case .scalar(let scalar):
      if scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
        return .string(scalar.string)
      }
      switch node.tagName {
      case .null: return .null
      case .bool: return node.bool.map(Value.bool) ?? .string(scalar.string)
      case .int:
        guard let int = node.int else {
          throw error(
            "integer '\(scalar.string)' does not fit in 64 bits", at: node,
            hint: "quote it to use it as a string")
        }
        return .int(int)
      case .float: return node.float.map(Value.double) ?? .string(scalar.string)
      default: return .string(scalar.string)
      }
    case .sequence(let sequence):
      var items: [Value] = []
      for item in sequence { items.append(try value(item)) }
      return .list(items)
    case .mapping:
      var result: [(key: String, value: Value)] = []
      for pair in try pairs(node, what: "a mapping") {
        result.append((pair.key, try value(pair.value)))
      }
      return .map(result)
    case .alias:
      throw error("unresolved YAML alias", at: node)
    }
  }

  func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar):
      if node.tagName == .null { return "nothing (null)" }
      let text = scalar.string.count > 40 ? String(scalar.string.prefix(37)) + "..." : scalar.string
      return "'\(text)'"
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .alias: return "an alias"
    }
  }
}

extension Node {
  /// The resolved tag (`tag:yaml.org,2002:int`, ...).
  var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
