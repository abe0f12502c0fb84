internal import Foundation

/// A Digital Object Identifier as the user wrote it, in any of the forms people paste
/// (doi-apis.md §2): `10.1000/182`, `doi:10.1000/182`, `doi://10.1000/182`, `urn:doi:10.1000/182`,
/// `info:doi/10.1000/182`, `https://doi.org/10.1000/182`, `https://dx.doi.org/10.1000/182`.
///
/// DOI names are case-insensitive: ``key`` (lower case) is for comparisons and cache keys,
/// ``spelling`` keeps the user's case for provenance and requests.
public struct DOI: Sendable, Hashable, CustomStringConvertible {
  /// The DOI name with the user's case and no scheme or resolver prefix: `10.5281/Zenodo.123`.
  public let spelling: String

  /// Parses `input`; nil when it is not a DOI in one of the accepted forms.
  public init?(_ input: String) {
    var text = input.trimmingCharacters(in: .whitespacesAndNewlines)
    if let url = URL(string: text), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https"
    {
      let host = url.host?.lowercased() ?? ""
      guard ["doi.org", "dx.doi.org", "www.doi.org"].contains(host) else { return nil }
      // The path as sent, decoded once: a `?` or `#` inside a DOI arrives as %3F / %23.
      let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
      guard let decoded = String(path.dropFirst()).removingPercentEncoding else { return nil }
      text = decoded
    } else {
      for prefix in ["doi://", "doi:", "urn:doi:", "info:doi/"]
      where text.lowercased().hasPrefix(prefix) {
        text = String(text.dropFirst(prefix.count))
        break
      }
    }
    guard Self.isDOIName(text) else { return nil }
    spelling = text
  }

  /// Like ``init(_:)`` but throws ``FetchError/unsupportedIdentifier(_:)``.
  public static func parse(_ input: String) throws -> DOI {
    guard let doi = DOI(input) else { throw FetchError.unsupportedIdentifier(input) }
    return doi
  }

  /// Lower-cased name: DOIs compare case-insensitively (ASCII folding).
  public var key: String { spelling.lowercased() }

  /// `10.5281` of `10.5281/zenodo.123`.
  public var prefix: String { String(spelling[..<slash]) }

  /// `zenodo.123` of `10.5281/zenodo.123`.
  public var suffix: String { String(spelling[spelling.index(after: slash)...]) }

  public var description: String { spelling }

  /// The DOI ready to append to a URL path (`/api/handles/` + this): `%`, `"`, `#`, space, `?`
  /// and the recommended `< > { } ^ [ ] ` | \ +` percent-encoded, non-ASCII as UTF-8, and `/./`
  /// and `/../` written `/.%2F`, `/..%2F` so no client collapses them. `/` stays literal.
  public var pathEncoded: String {
    let keep = Set(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/:;=@!$&'()*,".utf8)
    var encoded = ""
    for byte in spelling.utf8 {
      if keep.contains(byte) {
        encoded.append(Character(Unicode.Scalar(byte)))
      } else {
        encoded += String(format: "%%%02X", byte)
      }
    }
    // Dot segments, including one that ends the name.
    var segments = encoded.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    for index in segments.indices.dropFirst()
    where segments[index] == "." || segments[index] == ".." {
      if index + 1 < segments.count {
        segments[index] += "%2F" + segments[index + 1]
        segments[index + 1] = "\u{0}"
      } else {
        segments[index] = segments[index] == "." ? "%2E" : "%2E%2E"
      }
    }
    return segments.filter { $0 != "\u{0}" }.joined(separator: "/")
  }

  public static func == (lhs: DOI, rhs: DOI) -> Bool { lhs.key == rhs.key }
  public func hash(into hasher: inout Hasher) { hasher.combine(key) }

  private var slash: String.Index { spelling.firstIndex(of: "/")! }

  /// `10.` + registrant code (digits, dot-separated) + `/` + a non-empty suffix without
  /// control characters.
  private static func isDOIName(_ text: String) -> Bool {
    guard text.hasPrefix("10."), let slash = text.firstIndex(of: "/") else { return false }
    let registrant = text[text.index(text.startIndex, offsetBy: 3)..<slash]
    let parts = registrant.split(separator: ".", omittingEmptySubsequences: false)
    guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) })
    else { return false }
    let suffix = text[text.index(after: slash)...]
    return !suffix.isEmpty
      && !suffix.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
