internal import Foundation

/// A lenient view of a JSON document: repository APIs add, drop and retype fields over time, so
/// resolvers read what they need and ignore the rest instead of decoding a fixed schema.
enum ResolverJSON: Sendable, Equatable, Decodable {
  case null
  case bool(Bool)
  case integer(Int64)
  case number(Double)
  case string(String)
  case array([ResolverJSON])
  case object([String: ResolverJSON])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Int64.self) {
      self = .integer(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([ResolverJSON].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: ResolverJSON].self))
    }
  }

  /// Parses `bytes` from `url`; anything that is not JSON (an HTML login or WAF page, say) is a
  /// ``FetchError/malformedResponse(url:detail:)``.
  static func parse(_ bytes: [UInt8], from url: URL) throws -> ResolverJSON {
    do {
      return try JSONDecoder().decode(ResolverJSON.self, from: Data(bytes))
    } catch {
      let start = String(decoding: bytes.prefix(40), as: UTF8.self)
        .replacingOccurrences(of: "\n", with: " ")
      throw FetchError.malformedResponse(
        url: url.absoluteString, detail: "not JSON (starts with \"\(start)\")")
    }
  }

  subscript(key: String) -> ResolverJSON? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  /// Follows `keys` through nested objects.
  subscript(path keys: String...) -> ResolverJSON? {
    var node: ResolverJSON? = self
    for key in keys { node = node?[key] }
    return node
  }

  var string: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// A string, or a number written as its decimal digits (ids and years come as either).
  var text: String? {
    switch self {
    case .string(let value): value
    case .integer(let value): String(value)
    case .number(let value) where value == value.rounded(): String(Int64(value))
    default: nil
    }
  }

  /// An integer, or a string of digits.
  var int64: Int64? {
    switch self {
    case .integer(let value): value
    case .number(let value) where value == value.rounded(): Int64(value)
    case .string(let value): Int64(value)
    default: nil
    }
  }

  var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  var array: [ResolverJSON]? {
    if case .array(let value) = self { return value }
    return nil
  }

  var object: [String: ResolverJSON]? {
    if case .object(let value) = self { return value }
    return nil
  }

  /// A non-empty string with surrounding whitespace removed.
  var nonEmpty: String? {
    guard let value = text?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
    else { return nil }
    return value
  }
}
