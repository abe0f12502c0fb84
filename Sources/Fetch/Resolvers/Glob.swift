/// A file-selection pattern matched against a whole `/`-separated path:
///
/// | Pattern  | Matches |
/// |----------|---------|
/// | `*`      | any run of characters except `/` |
/// | `?`      | one character except `/` |
/// | `**`     | any run of characters including `/`; `**/` also matches no folder at all |
/// | `[abc]`, `[a-z]`, `[!a]`, `[^a]` | one character of (not of) the set |
/// | `\x`     | `x` literally |
///
/// `*.csv` matches only top-level CSV files; `**/*.csv` matches them at any depth.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
  public let pattern: String
  private let tokens: [Token]

  private enum Token: Sendable, Equatable {
    case literal(Character)
    case any  // ?
    case star  // *
    case globstar  // **
    case globstarSlash  // **/
    case set([ClosedRange<Character>], negated: Bool)
  }

  public init(_ pattern: String) {
    self.pattern = pattern
    var tokens: [Token] = []
    let characters = Array(pattern)
    var index = 0
    while index < characters.count {
      let character = characters[index]
      switch character {
      case "\\" where index + 1 < characters.count:
        tokens.append(.literal(characters[index + 1]))
        index += 2
        continue
      case "?":
        tokens.append(.any)
      case "*":
        if index + 1 < characters.count, characters[index + 1] == "*" {
          if index + 2 < characters.count, characters[index + 2] == "/" {
            tokens.append(.globstarSlash)
            index += 3
          } else {
            tokens.append(.globstar)
            index += 2
            while index < characters.count, characters[index] == "*" { index += 1 }
          }
          continue
        }
        tokens.append(.star)
      case "[":
        if let (set, end) = Self.parseSet(characters, from: index) {
          tokens.append(set)
          index = end + 1
          continue
        }
        tokens.append(.literal("["))
      default:
        tokens.append(.literal(character))
      }
      index += 1
    }
    self.tokens = tokens
  }

  public var description: String { pattern }

  /// Whether `path` as a whole matches.
  public func matches(_ path: String) -> Bool {
    let text = Array(path)
    var memo: [Int: Bool] = [:]
    func match(_ token: Int, _ position: Int) -> Bool {
      let key = token * (text.count + 1) + position
      if let known = memo[key] { return known }
      let result: Bool
      if token == tokens.count {
        result = position == text.count
      } else {
        switch tokens[token] {
        case .literal(let character):
          result =
            position < text.count && text[position] == character
            && match(token + 1, position + 1)
        case .any:
          result = position < text.count && text[position] != "/" && match(token + 1, position + 1)
        case .set(let ranges, let negated):
          result =
            position < text.count && text[position] != "/"
            && ranges.contains { $0.contains(text[position]) } != negated
            && match(token + 1, position + 1)
        case .star:
          var end = position
          var found = match(token + 1, end)
          while !found, end < text.count, text[end] != "/" {
            end += 1
            found = match(token + 1, end)
          }
          result = found
        case .globstar:
          result = (position...text.count).contains { match(token + 1, $0) }
        case .globstarSlash:
          // Zero folders, or any run ending just after a `/`.
          result =
            match(token + 1, position)
            || (position..<text.count).contains { text[$0] == "/" && match(token + 1, $0 + 1) }
        }
      }
      memo[key] = result
      return result
    }
    return match(0, 0)
  }

  /// `[…]` starting at `start`: the token and the index of the closing `]`, nil if unclosed.
  private static func parseSet(_ characters: [Character], from start: Int) -> (Token, Int)? {
    var index = start + 1
    var negated = false
    if index < characters.count, characters[index] == "!" || characters[index] == "^" {
      negated = true
      index += 1
    }
    var ranges: [ClosedRange<Character>] = []
    var first = true
    while index < characters.count {
      let character = characters[index]
      if character == "]", !first { return (.set(ranges, negated: negated), index) }
      first = false
      if index + 2 < characters.count, characters[index + 1] == "-", characters[index + 2] != "]",
        character <= characters[index + 2]
      {
        ranges.append(character...characters[index + 2])
        index += 3
      } else {
        ranges.append(character...character)
        index += 1
      }
    }
    return nil
  }
}

extension ResolvedRecord {
  /// The record with only the files whose path matches one of `patterns` (see ``Glob``), in
  /// listing order. No patterns selects everything. A pattern that matches no file is most
  /// likely a typo, so it throws ``FetchError/noMatch(identifier:patterns:)`` naming the
  /// patterns that matched nothing.
  public func selecting(_ patterns: [String]) throws -> ResolvedRecord {
    guard !patterns.isEmpty else { return self }
    let globs = patterns.map(Glob.init)
    let unmatched = globs.filter { glob in !files.contains { glob.matches($0.path) } }
    guard unmatched.isEmpty else {
      throw FetchError.noMatch(identifier: identifier, patterns: unmatched.map(\.pattern))
    }
    var selected = self
    selected.files = files.filter { file in globs.contains { $0.matches(file.path) } }
    return selected
  }
}
