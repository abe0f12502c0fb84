internal import Foundation

/// Turns the checksum spellings repositories publish into ``Checksum`` values (doi-apis.md §12):
/// `md5:<hex>`, bare hex with the algorithm known from context, Dataverse `{type, value}`,
/// CERN `adler32:<hex>` (sometimes bare or not zero-padded), bag and minid algorithm names.
enum ListingChecksum {
  /// The algorithm named `name`, ignoring case and separators (`SHA-256` = `sha256`).
  static func algorithm(named name: String) -> ChecksumAlgorithm? {
    let key = String(
      name.lowercased().unicodeScalars.filter {
        $0.properties.isAlphabetic || ("0"..."9").contains($0)
      })
    return ChecksumAlgorithm(rawValue: key)
  }

  /// `value` as a checksum of `algorithm` unless it carries its own `alg:` prefix. Empty means
  /// "no published checksum" (nil). A wrong length or a non-hex digit throws `invalid(detail)`.
  static func parse(
    _ value: String, defaultAlgorithm: ChecksumAlgorithm, file: String
  ) throws -> Checksum? {
    var hex = value.trimmingCharacters(in: .whitespaces)
    var algorithm = defaultAlgorithm
    if let colon = hex.firstIndex(of: ":") {
      guard let named = self.algorithm(named: String(hex[..<colon])) else {
        throw invalid(file: file, value: value)
      }
      algorithm = named
      hex = String(hex[hex.index(after: colon)...])
    }
    if hex.isEmpty { return nil }
    hex = hex.lowercased()
    guard hex.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) })
    else { throw invalid(file: file, value: value) }
    if algorithm == .adler32, hex.count < 8 {
      hex = String(repeating: "0", count: 8 - hex.count) + hex
    }
    guard hex.count == algorithm.listingHexDigits else {
      throw invalid(file: file, value: value)
    }
    return Checksum(algorithm, hex)
  }

  /// A published checksum that is not hex of the right length for its algorithm.
  static func invalid(file: String, value: String) -> FetchError {
    .malformedResponse(url: file, detail: "checksum \"\(value)\" is not a valid digest")
  }
}

extension ChecksumAlgorithm {
  /// Hex digits of a digest of this algorithm.
  var listingHexDigits: Int {
    switch self {
    case .md5: 32
    case .sha1: 40
    case .sha256: 64
    case .sha512: 128
    case .adler32: 8
    }
  }
}
