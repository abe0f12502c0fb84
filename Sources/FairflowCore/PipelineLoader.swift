internal import Yams
public import FairflowBase

/// Reads a pipeline file (YAML) into a `PipelineSpec`, validating every key and type.
///
/// Every error names `file:line:column`, what was expected, and for unknown keys the nearest
/// valid key (see `Suggestion`). Unknown keys are errors, duplicate keys are errors, and the
/// number of YAML nodes visited is bounded so alias "bombs" fail fast instead of exhausting memory.
public enum PipelineLoader {
  static let topLevelKeys = [
    "pipeline", "description", "params", "env", "slurm", "stages",
  ]
  static let stageKeys = [
    "cmd", "uses", "with", "deps", "outs", "metrics", "params", "env", "resources", "always_run",
    "matrix", "desc", "executor",
  ]
  static let outputKeys = ["path", "cache", "persist"]
  static let resourceKeys = ["cpus", "memory", "mem", "gpus", "time"]
  static let slurmKeys = ["partition", "account", "qos", "time", "options"]
  /// Upper bound on YAML nodes walked (aliases count each time they are reached).
  static let maxNodes = 2_000_000

  /// Decodes a pipeline file's bytes, refusing what YAML cannot hold instead of letting it turn
  /// into replacement characters or a silently truncated document: invalid UTF-8 and NUL bytes
  /// are reported at their line and column. A UTF-8 byte-order mark is dropped.
  public static func decode(_ bytes: [UInt8], file: String) throws(PipelineError) -> String {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    if !body.contains(0), let text = String(validating: body, as: UTF8.self) { return text }
    // Slow path, only to say where the problem is.
    var line = 1, column = 1, index = body.startIndex
    func fail(_ problem: String, hint: String) -> PipelineError {
      PipelineError(problem, at: SourceLocation(file: file, line: line, column: column), hint: hint)
    }
    while index < body.endIndex {
      let byte = body[index]
      let length: Int
      switch byte {
      case 0:
        throw fail("NUL byte in the pipeline file", hint: "pipeline files are UTF-8 text")
      case 0x0A:
        line += 1
        column = 1
        index += 1
        continue
      case 0x01...0x7F: length = 1
      case 0xC2...0xDF: length = 2
      case 0xE0...0xEF: length = 3
      case 0xF0...0xF4: length = 4
      default: length = 0
      }
      let end = index + max(length, 1)
      if length == 0 || end > body.endIndex
        || String(validating: body[index..<end], as: UTF8.self) == nil
      {
        throw fail(
          "invalid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)))",
          hint: "save the file as UTF-8")
      }
      column += 1
      index = end
    }
    return String(decoding: body, as: UTF8.self)
  }

  /// Parses `text`, reporting locations against `file` (the path as the user should see it).
  public static func load(text: String, file: String) throws(PipelineError) -> PipelineSpec {
    var reader = NodeReader(file: file, lines: NodeReader.lines(of: text))
    do {
      try AliasExpansionGuard.check(text, limit: maxNodes)
    } catch {
      switch error {
      case .tooLarge:
        throw reader.error(
          "the YAML document is too large after expanding aliases (more than \(maxNodes) nodes)",
          at: nil, hint: "remove recursive or repeated anchors (&name / *name)")
      case .largeKey(let name, let count):
        throw reader.error(
          "the alias '*\(name)' is used as a mapping key and expands to \(count) nodes",
          at: nil, hint: "mapping keys must be small; use a plain name")
      case .unparsable(let yamlError, let copy, let shifts):
        let fromCopy = NodeReader(file: file, lines: NodeReader.lines(of: copy))
          .yamlError(yamlError)
        guard let location = fromCopy.location else { throw fromCopy }
        let column = AliasExpansionGuard.originalColumn(
          location.column, line: location.line, shifts: shifts)
        throw reader.error(
          fromCopy.problem,
          at: SourceLocation(file: file, line: location.line, column: max(1, column)),
          hint: fromCopy.hint)
      }
    }
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

  /// Splits `text` at the line breaks YAML counts (LF, CRLF, CR, NEL, LS, PS), so that the line
  /// numbers of libyaml's marks index the result (a CRLF file would otherwise be one line).
  static func lines(of text: String) -> [Substring] {
    text.split(omittingEmptySubsequences: false) {
      $0 == "\n" || $0 == "\r\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}"
        || $0 == "\u{2029}"
    }
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
      var text = "invalid YAML: \(problem)"
      if let context {
        text += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
      }
      var hint: String?
      // Past the last line, the mark helps nobody: point where the unfinished thing began.
      let atEnd = lines.dropFirst(max(0, mark.line - 1)).allSatisfy {
        $0.allSatisfy(\.isWhitespace)
      }
      if let context,
        problem.contains("end of stream")
          || (atEnd && (context.text.contains("flow") || context.text.contains("quoted")))
      {
        where_ = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
        text = "invalid YAML: \(problem) (\(context.text))"
        hint = "a quote or bracket opened here is never closed"
      }
      if let context, context.text.contains("alias") {
        // Point at the '*' that began the alias, not the character after it.
        where_ = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
        text = "invalid YAML: \(problem) (\(context.text))"
      }
      if let context, problem.hasPrefix("but found another document") {
        // libyaml splits this sentence in two ("expected a single document…", "but found…").
        text = "invalid YAML: \(context.text), \(problem)"
        hint = "a pipeline file is a single YAML document; remove this '---' and what follows"
      }
      let line = lines.indices.contains(where_.line - 1) ? lines[where_.line - 1] : ""
      if line.hasPrefix("\t") || line.drop(while: { $0 == " " }).hasPrefix("\t") {
        hint = "YAML does not allow tabs for indentation; use spaces"
      } else if hint == nil, line.contains("${"), context?.text.contains("flow") == true {
        hint =
          "inside [ ] or { }, quote values that contain '${...}' (\"data/${matrix.seed}.csv\") or use a block list"
      }
      hint =
        hint ?? Self.hint(for: problem, context: context?.text, line: line, column: mark.column)
      return self.error(text, at: where_, hint: hint)
    case .duplicatedKeysInMapping(let duplicates, let context):
      // Yams reports the first occurrence of the (alphabetically) first duplicated key.
      return duplicateKeyError(
        duplicates.sorted().first ?? "?",
        first: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
    case .reader(let problem, let offset, let value, _):
      let place =
        offset.map(location(ofCharacter:)) ?? SourceLocation(file: file, line: 1, column: 1)
      guard problem.hasPrefix("control characters") else {
        return self.error(
          "invalid YAML input: \(problem)", at: place, hint: "pipeline files must be UTF-8 text")
      }
      let code = String(value, radix: 16, uppercase: true)
      let padded = String(repeating: "0", count: max(0, 4 - code.count)) + code
      return self.error(
        "invalid YAML input: \(problem) (found U+\(padded))", at: place,
        hint: "remove it, or write it as an escape inside double quotes (\"\\u\(padded)\")")
    default:
      return PipelineError(
        "cannot parse YAML: \(yaml)", at: SourceLocation(file: file, line: 1, column: 1))
    }
  }

  /// A hint for the YAML mistakes people make most, judged from the offending line.
  static func hint(for problem: String, context: String?, line: Substring, column: Int)
    -> String?
  {
    let scalars = Array(line.unicodeScalars)
    let indent = scalars.prefix { $0 == " " }.count
    let mark = min(max(0, column - 1), scalars.count)
    let before = String(String.UnicodeScalarView(scalars[min(indent, mark)..<mark]))
    if problem.hasPrefix("mapping values are not allowed") {
      // The ':' of the line's first key: the line was read as the continuation of a value.
      if !before.contains(": "), !before.hasPrefix("-") {
        return "this line is indented further than the key above it, so YAML reads it as part "
          + "of that value; align it with the keys beside it"
      }
      return "quote values that contain ': ' (cmd: \"echo a: b\")"
    }
    if problem.hasPrefix("did not find expected key"), context?.contains("block mapping") == true {
      if mark == indent {
        return "check the indentation of this line: it does not line up with the keys above it"
      }
      return "unexpected text after the value: quote the whole value if it starts with a quote "
        + "or bracket (cmd: '\"x\" y')"
    }
    if problem.hasPrefix("block sequence entries are not allowed") {
      return "start the list on the next line ('- item' lines indented below the key) or write "
        + "it as [a, b]"
    }
    if context?.contains("alias") == true || problem.contains("undefined alias") {
      return "a value starting with '*' is read as a YAML alias; quote it (\"*.csv\")"
    }
    if problem.hasPrefix("found character that cannot start any token"), mark < scalars.count {
      return "a plain YAML value cannot start with '\(scalars[mark])'; quote the value"
    }
    return nil
  }

  /// Where the character at `offset` (counted in Characters from the start, as Yams reports
  /// reader errors) lies; columns count Unicode scalars, as libyaml's marks do.
  func location(ofCharacter offset: Int) -> SourceLocation {
    var start = 0  // each line break is one Character, CRLF included
    for (index, line) in lines.enumerated() {
      if offset <= start + line.count {
        let column = line.prefix(max(0, offset - start)).unicodeScalars.count + 1
        return SourceLocation(file: file, line: index + 1, column: column)
      }
      start += line.count + 1
    }
    return SourceLocation(file: file, line: max(1, lines.count), column: 1)
  }

  /// Yams rejects duplicate keys itself, naming only the first occurrence: find the second.
  func duplicateKeyError(_ key: String, first: SourceLocation) -> PipelineError {
    let hint = "each key may appear once in a mapping"
    let spellings = [key, "\"\(key)\"", "'\(key)'"].map { Array(($0 + ":").unicodeScalars) }
    func keyStarts(_ line: [Unicode.Scalar], at column: Int) -> Bool {
      spellings.contains {
        column >= 0 && column + $0.count <= line.count
          && Array(line[column..<column + $0.count]) == $0
      }
    }
    func indentation(_ line: [Unicode.Scalar]) -> Int { line.prefix { $0 == " " }.count }
    let start = first.line - 1, keyColumn = max(0, first.column - 1)
    guard lines.indices.contains(start) else {
      return error("duplicate key '\(key)'", at: first, hint: hint)
    }
    let firstLine = Array(lines[start].unicodeScalars)
    // Flow mapping (`{a: 1, a: 2}`): the next `key:` after a ',' on this line or its continuations.
    let before = firstLine[..<min(keyColumn, firstLine.count)].last { $0 != " " }
    var index = start, from = first.column
    while before == "{" || before == ",", index < lines.count,
      index == start || indentation(Array(lines[index].unicodeScalars)) > indentation(firstLine)
    {
      let line = Array(lines[index].unicodeScalars)
      for column in from..<max(from, line.count) where keyStarts(line, at: column) {
        if line[..<column].last(where: { $0 != " " }).map({ $0 == "," }) ?? (index != start) {
          return error(
            "duplicate key '\(key)' (first defined on line \(first.line), column \(first.column))",
            at: SourceLocation(file: file, line: index + 1, column: column + 1), hint: hint)
        }
      }
      index += 1
      from = 0
    }
    // Block mapping: a later line with the key at the same indentation, before the mapping ends
    // (a line indented less, which includes the '- ' of the next list item).
    for index in (start + 1)..<max(start + 1, lines.count) {
      let line = Array(lines[index].unicodeScalars)
      let indent = indentation(line)
      if indent == line.count || line[indent] == "#" { continue }
      if indent < keyColumn { break }
      if indent == keyColumn, keyStarts(line, at: indent) {
        return error(
          "duplicate key '\(key)' (first defined on line \(first.line))",
          at: SourceLocation(file: file, line: index + 1, column: indent + 1), hint: hint)
      }
    }
    return error("duplicate key '\(key)' (first defined here)", at: first, hint: hint)
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
      throw error(
        "expected true or false for \(what), found \(describe(node))", at: node,
        hint: quotedText(node).map { ["true", "false"].contains($0.lowercased()) } == true
          ? "remove the quotes" : nil)
    }
    return value
  }

  func int(_ node: Node, what: String, range: ClosedRange<Int>) throws(PipelineError) -> Int {
    guard case .scalar = node, node.tagName == .int, let value = node.int else {
      throw error(
        "expected an integer for \(what), found \(describe(node))", at: node,
        hint: quotedText(node).map { Int($0) != nil } == true ? "remove the quotes" : nil)
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
    if case .scalar = node, node.tagName != .null { return [try string(node, what: what)] }
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
      do { return try Self.scalarValue(scalar) } catch {
        throw self.error(error.problem, at: node, hint: error.hint)
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

  /// The text of a quoted scalar, nil for anything else.
  func quotedText(_ node: Node) -> String? {
    guard case .scalar(let scalar) = node,
      scalar.style == .singleQuoted || scalar.style == .doubleQuoted
    else { return nil }
    return scalar.string
  }

  func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let scalar):
      if node.tagName == .null { return "nothing (null)" }
      let text = scalar.string.count > 40 ? String(scalar.string.prefix(37)) + "..." : scalar.string
      // Quotes make a string of anything: show them, or `found 'true'` reads as nonsense.
      if scalar.style == .doubleQuoted { return "the quoted string \"\(text)\"" }
      if scalar.style == .singleQuoted { return "the quoted string '\(text)'" }
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
