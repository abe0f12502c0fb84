import FairflowBase
/// Substitutes `${params.x}`, `${matrix.x}`, `${deps}`, `${outs}` and `${metrics}` in strings.
///
/// Other `${NAME}` forms are left for the shell (`${HOME}` keeps working in commands), except
/// names within edit distance 2 of a fairflow namespace (`${param.x}`), which are errors: a typo
/// must never silently become an empty shell variable.
struct Interpolator {
  static let namespaces = ["params", "matrix", "deps", "outs", "metrics"]

  var params: Value
  var matrix: [(key: String, value: Value)]
  /// Shell-quoted path lists, available only when interpolating a command.
  var lists: [String: String] = [:]
  /// Parameter names (dotted) referenced so far.
  var usedParams: Set<String> = []
  /// The expression being resolved, so an error can point at it in the source line.
  var currentExpression = ""

  enum Failure: Error {
    case unknown(String, hint: String?)
  }

  /// A string whose whole content is one `${params.x}` / `${matrix.x}` keeps the value's type.
  mutating func value(of text: String) throws(Failure) -> Value {
    if text.hasPrefix("${"), text.hasSuffix("}"),
      text.dropFirst(2).firstIndex(of: "}") == text.index(before: text.endIndex)
    {
      let expression = String(text.dropFirst(2).dropLast())
      if let resolved = try resolve(expression) { return resolved }
    }
    return .string(try string(text))
  }

  /// Interpolates every expression in `text`.
  mutating func string(_ text: String) throws(Failure) -> String {
    guard text.contains("${") else { return text }
    var result = ""
    var rest = Substring(text)
    while let start = rest.firstRange(of: "${") {
      result += rest[..<start.lowerBound]
      let afterOpen = rest[start.upperBound...]
      guard let close = afterOpen.firstIndex(of: "}") else {
        // Unclosed `${params.x` would reach the shell as a "bad substitution" at run time.
        let head = afterOpen.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        if Interpolator.namespaces.contains(String(head)) {
          let shown = String(afterOpen.prefix { !$0.isWhitespace && $0 != "\"" && $0 != "'" })
          currentExpression = shown
          throw .unknown(
            "'${\(shown)' is never closed", hint: "add the closing brace: '${\(shown)}'")
        }
        result += rest[start.lowerBound...]
        return result
      }
      let expression = String(afterOpen[..<close])
      if let value = try resolve(expression) {
        result += value.interpolationText
      } else {
        result += rest[start.lowerBound...close]
      }
      rest = afterOpen[afterOpen.index(after: close)...]
    }
    return result + rest
  }

  /// The value of an expression, nil when it is not fairflow's (left for the shell).
  private mutating func resolve(_ expression: String) throws(Failure) -> Value? {
    currentExpression = expression
    let parts = expression.split(separator: ".", omittingEmptySubsequences: false)
    let head = String(parts[0])
    guard Interpolator.namespaces.contains(head) else {
      if let near = Suggestion.nearest(to: head, in: Interpolator.namespaces, maxDistance: 2),
        head.count > 2
      {
        throw .unknown(
          "unknown variable '${\(expression)}'",
          hint: "did you mean '${\(near)\(expression.dropFirst(head.count))}'?")
      }
      return nil
    }
    switch head {
    case "params":
      guard parts.count > 1 else {
        throw .unknown("'${params}' needs a parameter name", hint: "write '${params.NAME}'")
      }
      let name = parts.dropFirst().joined(separator: ".")
      guard let value = params.lookup(parts.dropFirst()) else {
        throw .unknown("unknown parameter '\(name)' in '${\(expression)}'", hint: hint(for: name))
      }
      usedParams.insert(name)
      return value
    case "matrix":
      guard parts.count == 2, let value = matrix.first(where: { $0.key == parts[1] })?.value else {
        let keys = matrix.map(\.key)
        if keys.isEmpty {
          let key = parts.count > 1 ? parts[1] : "NAME"
          throw .unknown(
            "'${\(expression)}' is used in a stage without 'matrix'",
            hint: "declare the values in this stage, e.g. 'matrix: {\(key): [1, 2]}'")
        }
        let name = parts.dropFirst().joined(separator: ".")
        throw .unknown(
          "unknown matrix key '\(name)' in '${\(expression)}'",
          hint: Suggestion.hint(for: name, in: keys)
            ?? "matrix keys are: \(keys.joined(separator: ", "))")
      }
      return value
    default:
      guard parts.count == 1 else {
        throw .unknown("'${\(head)}' takes no field", hint: "write '${\(head)}'")
      }
      guard let list = lists[head] else {
        throw .unknown(
          "'${\(head)}' can only be used in 'cmd'",
          hint: "it expands to shell-quoted paths for the command; here, write the paths out")
      }
      return .string(list)
    }
  }

  private func hint(for name: String) -> String? {
    Suggestion.hint(for: name, in: Interpolator.parameterNames(params))
  }

  /// Every parameter name, nested ones dotted (`model`, `model.lr`), in declaration order.
  static func parameterNames(_ params: Value) -> [String] {
    var names: [String] = []
    func collect(_ value: Value, prefix: String) {
      guard case .map(let pairs) = value else { return }
      for pair in pairs {
        let full = prefix.isEmpty ? pair.key : prefix + "." + pair.key
        names.append(full)
        collect(pair.value, prefix: full)
      }
    }
    collect(params, prefix: "")
    return names
  }
}
