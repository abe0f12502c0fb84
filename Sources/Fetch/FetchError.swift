import Foundation

/// Everything that can go wrong between a DOI and a verified file in the store. Each case renders
/// as one line a user can act on (``description``); the CLI maps them all to the data-error exit.
public enum FetchError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Not a DOI, URL, minid or bag the resolvers understand.
  case unsupportedIdentifier(String)
  /// The handle system or a repository said the identifier does not exist (404/410/100).
  case notFound(identifier: String, detail: String)
  /// A non-success HTTP status that retries did not fix (or that is not retried).
  case httpStatus(url: String, status: Int, detail: String)
  /// Network failure after the retry budget (refused, reset, timeout, TLS).
  case transport(url: String, detail: String)
  /// Redirect chain longer than the limit, a cycle, or to a scheme/host that is not allowed.
  case redirect(url: String, detail: String)
  /// Plain http to anything but loopback, or a scheme other than http(s).
  case insecureURL(String)
  /// A body larger than the configured cap (or than the listing said).
  case tooLarge(limit: Int64)
  /// The downloaded bytes do not match the repository's checksum or size.
  case checksumMismatch(file: String, algorithm: String, expected: String, actual: String)
  /// A published checksum that cannot be read: unknown algorithm, not hex/base64, wrong length.
  case invalidChecksum(value: String, detail: String)
  case sizeMismatch(file: String, expected: Int64, actual: Int64)
  /// The server sent HTML (a login or landing page) where data was expected.
  case unexpectedContent(url: String, detail: String)
  /// A file name from an API or bag that would escape the destination (`..`, absolute, NUL, …).
  case unsafePath(String)
  /// A repository answered with JSON the resolver cannot read.
  case malformedResponse(url: String, detail: String)
  /// A bag that is not complete and valid (RFC 8493 §3).
  case invalidBag(String)
  /// `--offline` (or `offline: true`) and the listing or a file is not cached.
  case offline(String)
  /// No remote file matched the selection globs.
  case noMatch(identifier: String, patterns: [String])

  public var description: String {
    switch self {
    case .unsupportedIdentifier(let id): "not a DOI, URL, minid or bag fairflow can resolve: \(id)"
    case .notFound(let id, let detail): "\(id) not found: \(detail)"
    case .httpStatus(let url, let status, let detail):
      "HTTP \(status) from \(url)" + (detail.isEmpty ? "" : ": \(detail)")
    case .transport(let url, let detail): "cannot reach \(url): \(detail)"
    case .redirect(let url, let detail): "redirect refused at \(url): \(detail)"
    case .insecureURL(let url): "refusing \(url): only https (or http to 127.0.0.1/::1/localhost)"
    case .tooLarge(let limit): "response larger than the \(limit)-byte limit"
    case .checksumMismatch(let file, let algorithm, let expected, let actual):
      "\(file): \(algorithm) mismatch (expected \(expected), got \(actual)); nothing was kept"
    case .invalidChecksum(let value, let detail): "cannot read checksum \"\(value)\": \(detail)"
    case .sizeMismatch(let file, let expected, let actual):
      "\(file): expected \(expected) bytes, got \(actual); nothing was kept"
    case .unexpectedContent(let url, let detail): "\(url) did not return data: \(detail)"
    case .unsafePath(let name): "unsafe file name from the repository: \(name)"
    case .malformedResponse(let url, let detail): "cannot read the answer of \(url): \(detail)"
    case .invalidBag(let detail): "invalid bag: \(detail)"
    case .offline(let detail): "offline: \(detail)"
    case .noMatch(let id, let patterns):
      "no file of \(id) matches \(patterns.joined(separator: ", "))"
    }
  }
}
