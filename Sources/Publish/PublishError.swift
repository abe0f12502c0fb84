/// Everything that can go wrong while writing a publication bundle or depositing it. Each case
/// renders as one line a user can act on (``description``); none ever contains an access token.
public enum PublishError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A declared field is missing or malformed (`field` names it as in the pipeline file).
  case invalidSpec(field: String, detail: String)
  /// A bundle-relative file name that is empty, absolute, contains `..`, a backslash or NUL.
  case unsafePath(String)
  /// Two inputs would land on the same path in the bundle (or the same key in a deposit).
  case duplicatePath(String)
  /// Reading an input or writing the bundle failed.
  case io(path: String, detail: String)
  /// The repository answered a deposit request with a non-success status.
  case server(step: String, status: Int, message: String)
  /// The repository's answer lacks a field the flow needs (`links.bucket`, `doi`, …).
  case malformedResponse(step: String, detail: String)
  /// The checksum the repository computed for an uploaded file differs from ours.
  case uploadChecksumMismatch(file: String, expected: String, actual: String)
  /// The request could not be sent (network, redirect refused, …).
  case transport(step: String, detail: String)
  /// A tar archive that cannot be written or read safely (a name that does not fit or escapes,
  /// an unsupported entry, a damaged header).
  case invalidArchive(String)
  /// A published bundle whose files do not match its RO-Crate, or that lacks a part.
  case invalidBundle(String)

  public var description: String {
    switch self {
    case .invalidSpec(let field, let detail): "publish: \(field): \(detail)"
    case .unsafePath(let path): "publish: unsafe file name in the bundle: \(path)"
    case .duplicatePath(let path): "publish: two files would be written to \(path)"
    case .io(let path, let detail): "publish: \(path): \(detail)"
    case .server(let step, let status, let message):
      "deposit: \(step) failed with HTTP \(status)" + (message.isEmpty ? "" : ": \(message)")
    case .malformedResponse(let step, let detail):
      "deposit: cannot read the answer to \(step): \(detail)"
    case .uploadChecksumMismatch(let file, let expected, let actual):
      "deposit: \(file): the repository stored md5 \(actual), expected \(expected)"
    case .transport(let step, let detail): "deposit: \(step): \(detail)"
    case .invalidArchive(let detail): "tar archive: \(detail)"
    case .invalidBundle(let detail): "bundle: \(detail)"
    }
  }
}
