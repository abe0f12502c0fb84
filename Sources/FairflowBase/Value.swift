/// A typed YAML value as fairflow sees it: params, matrix entries and built-in stage configs.
///
/// Maps keep their declaration order (for display) but compare and encode canonically (sorted
/// keys), so reordering a map in the pipeline file never changes a fingerprint.
public indirect enum Value: Sendable, Hashable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case list([Value])
  case map([(key: String, value: Value)])

  public static func == (lhs: Value, rhs: Value) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.int(let a), .int(let b)): return a == b
    case (.double(let a), .double(let b)): return a.bitPattern == b.bitPattern
    case (.string(let a), .string(let b)): return a == b
    case (.list(let a), .list(let b)): return a == b
    case (.map(let a), .map(let b)):
      return a.sorted { $0.key < $1.key }.elementsEqual(b.sorted { $0.key < $1.key }) {
        $0.key == $1.key && $0.value == $1.value
      }
    default: return false
    }
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(canonicalText)
  }

  /// The text substituted into commands: scalars as written, lists space-separated,
  /// maps as canonical JSON.
  public var interpolationText: String {
    switch self {
    case .null: return ""
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d): return Value.format(d)
    case .string(let s): return s
    case .list(let items): return items.map(\.interpolationText).joined(separator: " ")
    case .map: return canonicalText
    }
  }

  /// Canonical JSON-like text (sorted keys, no spaces): the fingerprint and lock encoding.
  public var canonicalText: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d): return Value.format(d)
    case .string(let s): return Value.quote(s)
    case .list(let items): return "[" + items.map(\.canonicalText).joined(separator: ",") + "]"
    case .map(let pairs):
      let body = pairs.sorted { $0.key < $1.key }
        .map { Value.quote($0.key) + ":" + $0.value.canonicalText }
      return "{" + body.joined(separator: ",") + "}"
    }
  }

  /// Looks up a dotted path (`model.lr`) inside nested maps.
  public func lookup(_ path: ArraySlice<Substring>) -> Value? {
    guard let first = path.first else { return self }
    guard case .map(let pairs) = self,
      let next = pairs.first(where: { $0.key == first })?.value
    else { return nil }
    return next.lookup(path.dropFirst())
  }

  /// Shortest round-tripping decimal for a double; integral doubles keep a ".0".
  static func format(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    return "\(d)"
  }

  /// JSON string quoting. Characters that `readsBadlyAsYAML` are escaped as well: this text is
  /// also read back with libyaml (lock files, run-cache entries, directory manifests).
  public static func quote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20 || Value.readsBadlyAsYAML(scalar):
        out +=
          "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
          + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// Valid unescaped in JSON, but libyaml rejects them (DEL, C1 controls, U+FFFE, U+FFFF) or reads
  /// them as line breaks (NEL, LS, PS).
  static func readsBadlyAsYAML(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    return (0x7f...0x9f).contains(v) || v == 0x2028 || v == 0x2029 || v == 0xfffe || v == 0xffff
  }
}

extension Value {
  /// The value of `key` in a map, else nil.
  public subscript(key: String) -> Value? {
    guard case .map(let pairs) = self else { return nil }
    return pairs.first { $0.key == key }?.value
  }

  public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
  public var intValue: Int? { if case .int(let i) = self { return i } else { return nil } }
  public var listValue: [Value]? { if case .list(let l) = self { return l } else { return nil } }
  /// A number as a double (an integer converted); nil for anything else, booleans included.
  public var doubleValue: Double? {
    switch self {
    case .double(let d): return d
    case .int(let i): return Double(i)
    default: return nil
    }
  }
}
