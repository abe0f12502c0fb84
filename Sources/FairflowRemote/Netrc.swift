/// The entries of a `.netrc` file, as curl, git and pip read them: `machine HOST login L
/// password P`, a `default` entry, `account` ignored, `macdef` bodies skipped (up to a blank
/// line). Tokens may be quoted with double quotes (curl ≥ 7.84).
public struct Netrc: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public var machine: String?
    public var login: String?
    public var password: String?
  }

  public var entries: [Entry]

  public init(_ text: String) {
    var entries: [Entry] = []
    var tokens = Netrc.tokens(text)[...]
    var current: Entry?
    while let token = tokens.popFirst() {
      switch token {
      case "machine":
        if let current { entries.append(current) }
        current = Entry(machine: tokens.popFirst())
      case "default":
        if let current { entries.append(current) }
        current = Entry(machine: nil)
      case "login": current?.login = tokens.popFirst()
      case "password": current?.password = tokens.popFirst()
      case "account": _ = tokens.popFirst()
      default: continue
      }
    }
    if let current { entries.append(current) }
    self.entries = entries
  }

  /// Login and password for `host`: its own entry first, then `default`.
  public func credentials(for host: String) -> (login: String, password: String)? {
    let lowered = host.lowercased()
    let entry =
      entries.first { $0.machine?.lowercased() == lowered } ?? entries.first { $0.machine == nil }
    guard let entry, let login = entry.login, let password = entry.password else { return nil }
    return (login, password)
  }

  /// Whitespace-separated tokens, double quotes grouping (with `\"` and `\\`), macdef bodies
  /// dropped.
  static func tokens(_ text: String) -> [String] {
    var result: [String] = []
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
    while let line = lines.popFirst() {
      var current = ""
      var quoted = false
      var escaped = false
      var started = false
      for character in line {
        if escaped {
          current.append(character)
          escaped = false
        } else if quoted {
          if character == "\\" {
            escaped = true
          } else if character == "\"" {
            quoted = false
          } else {
            current.append(character)
          }
        } else if character == "\"" {
          quoted = true
          started = true
        } else if character == " " || character == "\t" || character == "\r" {
          if started { result.append(current) }
          current = ""
          started = false
        } else {
          current.append(character)
          started = true
        }
      }
      if started { result.append(current) }
      if result.last == "macdef" || (result.count >= 2 && result[result.count - 2] == "macdef") {
        // A macro's body runs to the next blank line.
        while let body = lines.popFirst(), !body.allSatisfy(\.isWhitespace) {}
      }
    }
    return result
  }
}
