internal import Yams

/// Bounds what YAML aliases can make of a pipeline file *before* Yams composes it.
///
/// Yams shares an aliased node instead of copying it, so an alias "bomb" costs nothing until
/// something walks it — and Yams itself walks mapping keys, hashing them to find duplicates. An
/// alias used as a key (`{*big: x}`) therefore made Yams hash every node of `big` (10⁷ nodes:
/// seconds to minutes) before fairflow's own node limit could say anything (found by
/// `FuzzPipelineLoader`).
///
/// The guard composes a copy of the text in which every alias (`*name` where a node starts) is
/// replaced by the single-quoted scalar `'*name'`: that copy has no aliases, so it costs time
/// linear in its size. From it the expanded node count is computed (memoised per anchor), and an
/// alias used as a mapping key must expand to at most `maxKeyNodes` nodes. A `*` that is not an
/// alias (inside quotes or block scalars) only makes the estimate larger, never smaller.
enum AliasExpansionGuard {
  static let maxKeyNodes = 1000

  enum Problem: Error {
    case tooLarge
    case largeKey(String, Int)
    /// The alias-free copy does not parse: the original would not either, and composing it could
    /// still hash an alias bomb, so its error is reported from the copy (see ``originalColumn``).
    case unparsable(any Error, copy: String, shifts: [Int: [(column: Int, extra: Int)]])
  }

  /// Maps a column of the copy back to the original text's column on the same line.
  static func originalColumn(
    _ column: Int, line: Int, shifts: [Int: [(column: Int, extra: Int)]]
  ) -> Int {
    column - (shifts[line] ?? []).filter { $0.column < column }.reduce(0) { $0 + $1.extra }
  }

  /// Throws ``Problem`` when the expanded document would exceed `limit` nodes, an alias key is
  /// large, or the alias-free copy does not parse. Returns quietly when the text has no aliases.
  static func check(_ text: String, limit: Int) throws(Problem) {
    guard text.utf8.contains(UInt8(ascii: "*")), text.utf8.contains(UInt8(ascii: "&")) else {
      return
    }
    guard let (copy, shifts) = withoutAliases(text) else { return }
    // Nodes hold their anchors weakly and the parser holds them strongly: keep it alive.
    let parser: Parser
    let composed: Node?
    do {
      parser = try Parser(yaml: copy)
      composed = try parser.singleRoot()
    } catch {
      throw .unparsable(error, copy: copy, shifts: shifts)
    }
    guard let root = composed else { return }
    try withExtendedLifetime(parser) { () throws(Problem) in
      var anchors: [String: Node] = [:]
      collectAnchors(root, into: &anchors)
      var memo: [String: Int] = [:]
      var active: Set<String> = []
      let total = try size(root, anchors, &memo, &active, limit: limit)
      if total > limit { throw .tooLarge }
    }
  }

  /// Node count of `node` with aliases expanded, saturating just above `limit`.
  static func size(
    _ node: Node, _ anchors: [String: Node], _ memo: inout [String: Int],
    _ active: inout Set<String>, limit: Int
  ) throws(Problem) -> Int {
    switch node {
    case .scalar(let scalar):
      guard scalar.style == .singleQuoted, scalar.string.hasPrefix("*") else { return 1 }
      let name = String(scalar.string.dropFirst())
      guard let target = anchors[name] else { return 1 }
      if let known = memo[name] { return known }
      // A self-referencing alias is an error for the real parser; count it as one node here.
      guard active.insert(name).inserted else { return 1 }
      let counted = try size(target, anchors, &memo, &active, limit: limit)
      active.remove(name)
      memo[name] = counted
      return counted
    case .sequence(let sequence):
      var total = 1
      for item in sequence {
        total = min(limit + 1, total + (try size(item, anchors, &memo, &active, limit: limit)))
        if total > limit { throw .tooLarge }
      }
      return total
    case .mapping(let mapping):
      var total = 1
      for pair in mapping {
        let key = try size(pair.key, anchors, &memo, &active, limit: limit)
        if key > maxKeyNodes, case .scalar(let scalar) = pair.key {
          throw .largeKey(String(scalar.string.dropFirst()), key)
        }
        let value = try size(pair.value, anchors, &memo, &active, limit: limit)
        total = min(limit + 1, total + key + value)
        if total > limit { throw .tooLarge }
      }
      return total
    case .alias:
      return 1
    }
  }

  static func collectAnchors(_ node: Node, into anchors: inout [String: Node]) {
    if let anchor = node.anchor { anchors[anchor.rawValue] = node }
    switch node {
    case .sequence(let sequence): for item in sequence { collectAnchors(item, into: &anchors) }
    case .mapping(let mapping):
      for pair in mapping {
        collectAnchors(pair.key, into: &anchors)
        collectAnchors(pair.value, into: &anchors)
      }
    default: break
    }
  }

  /// The text with every `*name` that starts a node (after indentation, `- `, `? `, `: `, `[`,
  /// `{` or `,`) replaced by `'*name'`. Quoted scalars, comments and block scalars (`|`, `>`) are
  /// copied as they are, so a quote or a `*` inside them cannot hide or invent an alias.
  static func withoutAliases(_ text: String) -> (String, [Int: [(column: Int, extra: Int)]])? {
    let bytes = Array(text.utf8)
    var shifts: [Int: [(column: Int, extra: Int)]] = [:]
    var line = 1
    var lineStartInOut = 0
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + 64)
    func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
    func isBreak(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }
    var i = 0
    var nodeStart = true
    var blockIndent: Int?  // inside a block scalar whose header line had this indentation
    var lineIndent = 0
    var atLineStart = true
    while i < bytes.count {
      if atLineStart {
        atLineStart = false
        lineStartInOut = out.count
        var j = i
        while j < bytes.count, bytes[j] == 0x20 { j += 1 }
        let blank = j == bytes.count || isBreak(bytes[j])
        if let parent = blockIndent, blank || j - i > parent {
          // Block scalar content: copy the line through its break.
          while j < bytes.count, !isBreak(bytes[j]) { j += 1 }
          if j < bytes.count { j += 1 }
          out += bytes[i..<j]
          i = j
          line += 1
          atLineStart = true
          continue
        }
        blockIndent = nil
        lineIndent = j - i
        out += bytes[i..<j]
        i = j
        nodeStart = true
        continue
      }
      let b = bytes[i]
      if isBreak(b) {
        out.append(b)
        i += 1
        // CRLF is one break; a lone CR is one too.
        if b == 0x0D, i < bytes.count, bytes[i] == 0x0A {
          out.append(0x0A)
          i += 1
        }
        line += 1
        atLineStart = true
        continue
      }
      if b == UInt8(ascii: "#"), i == 0 || isSpace(bytes[i - 1]) || isBreak(bytes[i - 1]) {
        // A comment: copy to the end of the line.
        var j = i
        while j < bytes.count, !isBreak(bytes[j]) { j += 1 }
        out += bytes[i..<j]
        i = j
        continue
      }
      if nodeStart, b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
        // A quoted scalar, possibly over several lines: copy it whole.
        var j = i + 1
        while j < bytes.count {
          if b == UInt8(ascii: "\""), bytes[j] == UInt8(ascii: "\\") {
            j += 2
            continue
          }
          if bytes[j] == b {
            if b == UInt8(ascii: "'"), j + 1 < bytes.count, bytes[j + 1] == b {
              j += 2
              continue
            }
            break
          }
          j += 1
        }
        j = min(j + 1, bytes.count)
        out += bytes[i..<j]
        line += bytes[i..<j].count { $0 == 0x0A }
        if let lastBreak = bytes[i..<j].lastIndex(of: 0x0A) {
          lineStartInOut = out.count - (j - lastBreak - 1)
        }
        i = j
        nodeStart = false
        continue
      }
      if nodeStart, b == UInt8(ascii: "|") || b == UInt8(ascii: ">") {
        // A block scalar header: the rest of the line is indicators (and maybe a comment).
        var j = i
        while j < bytes.count, !isBreak(bytes[j]) { j += 1 }
        out += bytes[i..<j]
        i = j
        blockIndent = lineIndent
        continue
      }
      if nodeStart, b == UInt8(ascii: "*") {
        var j = i + 1
        while j < bytes.count, !isSpace(bytes[j]), !isBreak(bytes[j]),
          !",[]{}".utf8.contains(bytes[j])
        {
          j += 1
        }
        let column = out.count - lineStartInOut + 1
        let before = out.count
        out.append(UInt8(ascii: "'"))
        for c in bytes[i..<j] {
          out.append(c)
          if c == UInt8(ascii: "'") { out.append(c) }
        }
        out.append(UInt8(ascii: "'"))
        shifts[line, default: []].append((column, out.count - before - (j - i)))
        i = j
        nodeStart = false
        continue
      }
      if nodeStart, b == UInt8(ascii: "&") {
        // An anchor precedes the node it names.
        var j = i + 1
        while j < bytes.count, !isSpace(bytes[j]), !isBreak(bytes[j]) { j += 1 }
        out += bytes[i..<j]
        i = j
        continue
      }
      out.append(b)
      i += 1
      if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") || b == UInt8(ascii: ",") {
        nodeStart = true
      } else if isSpace(b) {
        // Spaces keep the state; one after an indicator starts a node.
        if i >= 2, "-:?".utf8.contains(bytes[i - 2]) { nodeStart = true }
      } else if b == UInt8(ascii: "-") || b == UInt8(ascii: "?") || b == UInt8(ascii: ":") {
        // An indicator only when a space follows (handled above); `-1`, `a:b` are scalars.
        if !(i < bytes.count && (isSpace(bytes[i]) || isBreak(bytes[i]))) { nodeStart = false }
      } else {
        nodeStart = false
      }
    }
    return String(validating: out, as: UTF8.self).map { ($0, shifts) }
  }
}
