public import FairflowBase

/// Fetch errors reach the user as `error: <message>` with an exit status scripts can test:
/// 2 when the request itself is wrong (identifier, selection), 1 when the data could not be
/// obtained or verified.
extension FetchError: FairflowError {
  public var message: String { description }

  public var hint: String? {
    switch self {
    case .unsupportedIdentifier:
      "write a DOI (10.5281/zenodo.1234567), an https URL, a minid or a bag directory"
    case .noMatch: "`fairflow fetch IDENTIFIER --list` shows the repository's file paths"
    case .offline: "run once without --offline (or FAIRFLOW_OFFLINE=1) to fill the cache"
    case .checksumMismatch, .sizeMismatch:
      "the repository's file changed or the transfer was corrupted; try again, then report it"
    default: nil
    }
  }

  public var exitStatus: ExitStatus {
    switch self {
    case .unsupportedIdentifier, .noMatch: .invalidInput
    default: .failure
    }
  }
}
