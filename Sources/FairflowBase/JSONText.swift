/// Human-readable JSON for records people read with `git show` and `cat`: two-space indent, keys
/// in the order given (not sorted), one scalar per line. Valid JSON for every `Value`: non-finite
/// doubles, which JSON cannot express, are written as the strings "NaN", "Infinity", "-Infinity".
extension Value {
  public var prettyJSON: String {
    var out = ""
    write(into: &out, indent: "")
    return out + "\n"
  }

  private func write(into out: inout String, indent: String) {
    switch self {
    case .double(let d) where !d.isFinite:
      out += d.isNaN ? "\"NaN\"" : d < 0 ? "\"-Infinity\"" : "\"Infinity\""
    case .list(let items) where !items.isEmpty:
      out += "[\n"
      let inner = indent + "  "
      for (i, item) in items.enumerated() {
        out += inner
        item.write(into: &out, indent: inner)
        out += i == items.count - 1 ? "\n" : ",\n"
      }
      out += indent + "]"
    case .map(let pairs) where !pairs.isEmpty:
      out += "{\n"
      let inner = indent + "  "
      for (i, pair) in pairs.enumerated() {
        out += inner + Value.quote(pair.key) + ": "
        pair.value.write(into: &out, indent: inner)
        out += i == pairs.count - 1 ? "\n" : ",\n"
      }
      out += indent + "}"
    case .list: out += "[]"
    case .map: out += "{}"
    default: out += canonicalText
    }
  }
}
