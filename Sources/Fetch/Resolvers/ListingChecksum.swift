/// Turns the checksum spellings repositories publish into ``Checksum`` values (doi-apis.md §12):
/// `md5:<hex>`, bare hex with the algorithm known from context, Dataverse `{type, value}`,
/// CERN `adler32:<hex>` (sometimes bare or not zero-padded), bag and minid algorithm names.
/// The parsing is ``Checksum/parse(_:defaultAlgorithm:)``'s; a bad value names the listing.
enum ListingChecksum {
  /// The algorithm named `name`, ignoring case and separators (`SHA-256` = `sha256`).
  static func algorithm(named name: String) -> ChecksumAlgorithm? {
    ChecksumAlgorithm(loosely: name)
  }

  /// `value` as a checksum of `algorithm` unless it carries its own `alg:` prefix. Empty means
  /// "no published checksum" (nil). A wrong length or a non-hex digit throws.
  static func parse(
    _ value: String, defaultAlgorithm: ChecksumAlgorithm, file: String
  ) throws -> Checksum? {
    do {
      return try Checksum.parse(value, defaultAlgorithm: defaultAlgorithm)
    } catch {
      throw invalid(file: file, value: value)
    }
  }

  /// A published checksum that is not hex of the right length for its algorithm.
  static func invalid(file: String, value: String) -> FetchError {
    .malformedResponse(url: file, detail: "checksum \"\(value)\" is not a valid digest")
  }
}
