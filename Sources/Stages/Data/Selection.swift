/// A cut over per-entry (flat) branches: comparisons of a branch with a number, combined with
/// `and`, `or`, `not` and parentheses — `fj_pt > 300 and (fj_sdmass > 40 or npv <= 10)`.
/// Parsed once at validation; evaluated per entry.
public indirect enum Selection: Sendable, Equatable {
  case compare(branch: String, op: Op, value: Double)
  case and(Selection, Selection)
  case or(Selection, Selection)
  case not(Selection)

  public enum Op: String, Sendable, CaseIterable {
    case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!="
  }

  /// The branches the cut reads.
  public var branches: [String] {
    switch self {
    case .compare(let b, _, _): return [b]
    case .and(let a, let b), .or(let a, let b): return a.branches + b.branches
    case .not(let a): return a.branches
    }
  }

  /// Whether an entry passes, given a lookup of branch values (NaN compares false, as in C).
  public func passes(_ value: (String) -> Double) -> Bool {
    switch self {
    case .compare(let b, let op, let threshold):
      let v = value(b)
      switch op {
      case .lt: return v < threshold
      case .le: return v <= threshold
      case .gt: return v > threshold
      case .ge: return v >= threshold
      case .eq: return v == threshold
      case .ne: return v != threshold
      }
    case .and(let a, let b): return a.passes(value) && b.passes(value)
    case .or(let a, let b): return a.passes(value) || b.passes(value)
    case .not(let a): return !a.passes(value)
    }
  }

  /// Parses the expression; errors say what was expected at which character.
  public static func parse(_ text: String) throws(SelectionError) -> Selection {
    var parser = Parser(tokens: try tokenize(text), text: text)
    let result = try parser.or()
    guard parser.position == parser.tokens.count else {
      throw SelectionError(
        text: text, problem: "unexpected '\(parser.tokens[parser.position].text)'")
    }
    return result
  }

  struct Token {
    var text: String
    var isNumber: Bool
  }

  static func tokenize(_ text: String) throws(SelectionError) -> [Token] {
    var tokens: [Token] = []
    let chars = Array(text)
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == " " || c == "\t" {
        i += 1
        continue
      }
      if c == "(" || c == ")" {
        tokens.append(Token(text: String(c), isNumber: false))
        i += 1
        continue
      }
      if "<>=!".contains(c) {
        var op = String(c)
        if i + 1 < chars.count, chars[i + 1] == "=" { op += "="; i += 1 }
        guard Op(rawValue: op) != nil else {
          throw SelectionError(text: text, problem: "unknown operator '\(op)'")
        }
        tokens.append(Token(text: op, isNumber: false))
        i += 1
        continue
      }
      var j = i
      while j < chars.count, !" \t()<>=!".contains(chars[j]) { j += 1 }
      let word = String(chars[i..<j])
      tokens.append(Token(text: word, isNumber: Double(word) != nil))
      i = j
    }
    return tokens
  }

  struct Parser {
    var tokens: [Token]
    var text: String
    var position = 0

    var peek: String? { position < tokens.count ? tokens[position].text : nil }

    mutating func or() throws(SelectionError) -> Selection {
      var left = try and()
      while peek == "or" {
        position += 1
        left = .or(left, try and())
      }
      return left
    }

    mutating func and() throws(SelectionError) -> Selection {
      var left = try unary()
      while peek == "and" {
        position += 1
        left = .and(left, try unary())
      }
      return left
    }

    mutating func unary() throws(SelectionError) -> Selection {
      if peek == "not" {
        position += 1
        return .not(try unary())
      }
      if peek == "(" {
        position += 1
        let inner = try or()
        guard peek == ")" else { throw SelectionError(text: text, problem: "missing ')'") }
        position += 1
        return inner
      }
      guard position + 3 <= tokens.count else {
        throw SelectionError(text: text, problem: "expected 'branch op number' at the end")
      }
      let name = tokens[position]
      let op = tokens[position + 1]
      let number = tokens[position + 2]
      guard !name.isNumber, !["and", "or", "not", "(", ")"].contains(name.text) else {
        throw SelectionError(text: text, problem: "expected a branch name, found '\(name.text)'")
      }
      guard let o = Op(rawValue: op.text) else {
        throw SelectionError(
          text: text, problem: "expected a comparison after '\(name.text)', found '\(op.text)'")
      }
      guard number.isNumber, let v = Double(number.text) else {
        throw SelectionError(
          text: text,
          problem: "expected a number after '\(name.text) \(op.text)', found '\(number.text)'")
      }
      position += 3
      return .compare(branch: name.text, op: o, value: v)
    }
  }
}

public struct SelectionError: Error, Equatable {
  public var text: String
  public var problem: String
  public var message: String { "invalid selection '\(text)': \(problem)" }
}
