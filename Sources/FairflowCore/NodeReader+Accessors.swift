internal import FairflowBase
internal import Yams

/// Typed, location-aware accessors: mappings, keys, scalars, lists and whole values.
extension NodeReader {
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
