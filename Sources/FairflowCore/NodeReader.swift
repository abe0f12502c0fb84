internal import FairflowBase
internal import Yams

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
}
