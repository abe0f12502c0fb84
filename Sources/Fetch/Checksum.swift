internal import Foundation

/// Hash algorithms repositories publish. `adler32` is CERN Open Data's (8 hex digits).
public enum ChecksumAlgorithm: String, Sendable, Codable, CaseIterable, Comparable {
  case md5, sha1, sha256, sha512, adler32

  /// Preference when a file has several: the strongest first.
  var strength: Int {
    switch self {
    case .sha512: 5
    case .sha256: 4
    case .sha1: 3
    case .md5: 2
    case .adler32: 1
    }
  }

  public static func < (lhs: ChecksumAlgorithm, rhs: ChecksumAlgorithm) -> Bool {
    lhs.strength < rhs.strength
  }
}

/// A repository checksum normalised to (algorithm, lowercase hex), whatever form it came in
/// (`md5:<hex>`, bare hex with the algorithm elsewhere, `adler32:<hex>`, …).
public struct Checksum: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
  public var algorithm: ChecksumAlgorithm
  public var hex: String

  public init(_ algorithm: ChecksumAlgorithm, _ hex: String) {
    self.algorithm = algorithm
    self.hex = hex.lowercased()
  }

  /// `algorithm:hex`, the form used in lock files and provenance.
  public var description: String { "\(algorithm.rawValue):\(hex)" }
}

extension Checksum {
  /// Reads a published checksum in any of the forms of doi-apis.md §12: `md5:<hex>`,
  /// `sha256:<hex>`, `SHA-256=<base64 or hex>` (Digest header), a quoted or weak `ETag`
  /// (`"md5:<hex>"`), bare hex (algorithm from `defaultAlgorithm`, else from the length: 32 md5,
  /// 40 sha1, 64 sha256, 128 sha512, 8 adler32), base64 (`Content-MD5`, RFC 1864), uppercase hex,
  /// and adler32 without its leading zeros. Algorithm names ignore case and separators.
  ///
  /// Returns nil for an empty value ("no published checksum"); throws
  /// ``FetchError/invalidChecksum(value:detail:)`` for anything else it cannot read.
  public static func parse(
    _ text: String, defaultAlgorithm: ChecksumAlgorithm? = nil
  ) throws(FetchError) -> Checksum? {
    var value = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
    if value.hasPrefix("W/") { value = value.dropFirst(2) }
    if value.count >= 2, value.first == "\"", value.last == "\"" {
      value = value.dropFirst().dropLast()
    }
    if value.isEmpty { return nil }
    var algorithm = defaultAlgorithm
    if let (name, rest) = splitPrefix(value) {
      guard let named = ChecksumAlgorithm(loosely: name) else {
        throw .invalidChecksum(value: text, detail: "unknown algorithm \"\(name)\"")
      }
      algorithm = named
      value = rest
    }
    if value.isEmpty { return nil }
    let digest = String(value)
    if let algorithm {
      if let hex = normalisedHex(digest, algorithm) { return Checksum(algorithm, hex) }
      if let hex = base64Hex(digest, bytes: algorithm.digestBytes) {
        return Checksum(algorithm, hex)
      }
      throw .invalidChecksum(
        value: text, detail: "not \(algorithm.digestBytes * 2) hex digits of \(algorithm.rawValue)")
    }
    let byLength: [Int: ChecksumAlgorithm] = [32: .md5, 40: .sha1, 64: .sha256, 128: .sha512]
    if let guess = byLength[digest.count] ?? (digest.count <= 8 ? .adler32 : nil),
      let hex = normalisedHex(digest, guess)
    {
      return Checksum(guess, hex)
    }
    throw .invalidChecksum(value: text, detail: "no algorithm given and not a known digest length")
  }

  /// `name:rest` or `name=rest` where `name` spells a known algorithm.
  private static func splitPrefix(_ value: Substring) -> (String, Substring)? {
    if let colon = value.firstIndex(of: ":") {
      return (String(value[..<colon]), value[value.index(after: colon)...])
    }
    if let equals = value.firstIndex(of: "="),
      ChecksumAlgorithm(loosely: String(value[..<equals])) != nil
    {
      return (String(value[..<equals]), value[value.index(after: equals)...])
    }
    return nil
  }

  private static func normalisedHex(_ digest: String, _ algorithm: ChecksumAlgorithm) -> String? {
    var hex = digest.lowercased()
    guard !hex.isEmpty, hex.unicodeScalars.allSatisfy({ isHexDigit($0) }) else { return nil }
    if algorithm == .adler32, hex.count < 8 {
      hex = String(repeating: "0", count: 8 - hex.count) + hex
    }
    return hex.count == algorithm.digestBytes * 2 ? hex : nil
  }

  private static func base64Hex(_ digest: String, bytes: Int) -> String? {
    guard let decoded = Data(base64Encoded: digest), decoded.count == bytes else { return nil }
    return decoded.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  }

  private static func isHexDigit(_ scalar: Unicode.Scalar) -> Bool {
    ("0"..."9").contains(scalar) || ("a"..."f").contains(scalar)
  }
}

extension ChecksumAlgorithm {
  /// The algorithm a repository names, ignoring case and separators (`SHA-256` = `sha256`).
  public init?(loosely name: String) {
    let key = name.lowercased().unicodeScalars.filter {
      ("a"..."z").contains($0) || ("0"..."9").contains($0)
    }
    self.init(rawValue: String(String.UnicodeScalarView(key)))
  }

  /// Bytes in a digest of this algorithm.
  var digestBytes: Int {
    switch self {
    case .md5: 16
    case .sha1: 20
    case .sha256: 32
    case .sha512: 64
    case .adler32: 4
    }
  }
}
