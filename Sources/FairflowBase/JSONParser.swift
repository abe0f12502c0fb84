/// Strict JSON (RFC 8259) into `Value`, for the JSON that libraries read without the pipeline
/// core: safetensors headers, `model.json`, metrics. Object keys keep their order; a number
/// without fraction or exponent that fits `Int` is `.int`, any other number `.double`.
/// Pipeline files and YAML documents go through FairflowCore's `ValueParser` instead.
public enum JSONParser {
  /// Parses one JSON document; `file` names it in errors.
  public static func parse(_ text: String, file: String) throws(JSONError) -> Value {
    var parser = Parser(bytes: Array(text.utf8), file: file)
    parser.skipSpace()
    let value = try parser.value(depth: 0)
    parser.skipSpace()
    guard parser.index == parser.bytes.count else { throw parser.error("trailing characters") }
    return value
  }

  private struct Parser {
    let bytes: [UInt8]
    let file: String
    var index = 0

    init(bytes: [UInt8], file: String) {
      self.bytes = bytes
      self.file = file
    }

    func error(_ problem: String) -> JSONError {
      JSONError(file: file, offset: index, problem: problem)
    }

    mutating func skipSpace() {
      while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func expect(_ literal: String, _ value: Value) throws(JSONError) -> Value {
      let chars = Array(literal.utf8)
      guard index + chars.count <= bytes.count, Array(bytes[index..<index + chars.count]) == chars
      else { throw error("invalid literal") }
      index += chars.count
      return value
    }

    mutating func value(depth: Int) throws(JSONError) -> Value {
      guard depth < 512 else { throw error("nesting deeper than 512") }
      guard index < bytes.count else { throw error("unexpected end of input") }
      switch bytes[index] {
      case UInt8(ascii: "{"): return try object(depth: depth)
      case UInt8(ascii: "["): return try array(depth: depth)
      case UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "t"): return try expect("true", .bool(true))
      case UInt8(ascii: "f"): return try expect("false", .bool(false))
      case UInt8(ascii: "n"): return try expect("null", .null)
      default: return try number()
      }
    }

    mutating func object(depth: Int) throws(JSONError) -> Value {
      index += 1
      var pairs: [(key: String, value: Value)] = []
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .map(pairs)
      }
      while true {
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
          throw error("expected a string key")
        }
        let key = try string()
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
          throw error("expected ':'")
        }
        index += 1
        skipSpace()
        pairs.append((key, try value(depth: depth + 1)))
        skipSpace()
        guard index < bytes.count else { throw error("unterminated object") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
        } else if bytes[index] == UInt8(ascii: "}") {
          index += 1
          return .map(pairs)
        } else {
          throw error("expected ',' or '}'")
        }
      }
    }

    mutating func array(depth: Int) throws(JSONError) -> Value {
      index += 1
      var items: [Value] = []
      skipSpace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .list(items)
      }
      while true {
        skipSpace()
        items.append(try value(depth: depth + 1))
        skipSpace()
        guard index < bytes.count else { throw error("unterminated array") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
        } else if bytes[index] == UInt8(ascii: "]") {
          index += 1
          return .list(items)
        } else {
          throw error("expected ',' or ']'")
        }
      }
    }

    mutating func hex4() throws(JSONError) -> UInt32 {
      guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
      var code: UInt32 = 0
      for _ in 0..<4 {
        let c = bytes[index]
        let digit: UInt32
        switch c {
        case 48...57: digit = UInt32(c - 48)
        case 65...70: digit = UInt32(c - 55)
        case 97...102: digit = UInt32(c - 87)
        default: throw error("invalid \\u escape")
        }
        code = code << 4 | digit
        index += 1
      }
      return code
    }

    mutating func string() throws(JSONError) -> String {
      index += 1
      var out: [UInt8] = []
      while true {
        guard index < bytes.count else { throw error("unterminated string") }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\""):
          guard let text = String(validating: out, as: UTF8.self) else {
            throw error("string is not valid UTF-8")
          }
          return text
        case UInt8(ascii: "\\"):
          guard index < bytes.count else { throw error("unterminated escape") }
          let e = bytes[index]
          index += 1
          switch e {
          case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0C)
          case UInt8(ascii: "n"): out.append(0x0A)
          case UInt8(ascii: "r"): out.append(0x0D)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code) {
              guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                bytes[index + 1] == UInt8(ascii: "u")
              else { throw error("unpaired surrogate") }
              index += 2
              let low = try hex4()
              guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(code) {
              throw error("unpaired surrogate")
            }
            out.append(contentsOf: String(Character(Unicode.Scalar(code)!)).utf8)
          default: throw error("invalid escape")
          }
        case 0..<0x20: throw error("control character in string")
        default: out.append(c)
        }
      }
    }

    mutating func number() throws(JSONError) -> Value {
      let start = index
      func digits(_ p: inout Parser) -> Int {
        let s = p.index
        while p.index < p.bytes.count, (48...57).contains(p.bytes[p.index]) { p.index += 1 }
        return p.index - s
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
      let intStart = index
      guard digits(&self) > 0 else { throw error("invalid value") }
      guard bytes[intStart] != 48 || index - intStart == 1 else { throw error("leading zero") }
      var integral = true
      if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        integral = false
        guard digits(&self) > 0 else { throw error("digits expected after '.'") }
      }
      if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
        index += 1
        integral = false
        if index < bytes.count,
          bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
        {
          index += 1
        }
        guard digits(&self) > 0 else { throw error("digits expected in exponent") }
      }
      let text = String(decoding: bytes[start..<index], as: UTF8.self)
      if integral, let i = Int(text) { return .int(i) }
      guard let d = Double(text) else { throw error("invalid number") }
      return .double(d)
    }
  }
}

/// Malformed JSON: the document, the byte offset and what was wrong. Invalid input (exit 2).
public struct JSONError: FairflowError, Equatable {
  public let file: String
  public let offset: Int
  public let problem: String

  public var message: String { "\(file): invalid JSON at byte \(offset): \(problem)" }
  public var exitStatus: ExitStatus { .invalidInput }
}
