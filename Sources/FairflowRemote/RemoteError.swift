public import FairflowBase
internal import Fetch

/// What can go wrong between the local cache and a remote. Messages name the remote, the object
/// (and the stage output it belongs to, where known) and never a credential.
public struct RemoteError: FairflowError {
  public var message: String
  public var hint: String?
  public var exitStatus: ExitStatus
  /// The remote is out of reach or refuses us: no point trying the other objects.
  public var isFatal = false

  public init(
    _ message: String, hint: String? = nil, exitStatus: ExitStatus = .failure, isFatal: Bool = false
  ) {
    self.message = message
    self.hint = hint
    self.exitStatus = exitStatus
    self.isFatal = isFatal
  }

  /// Any error of a transfer, as a message that names the remote; network failures (after
  /// their retries) and refusals are fatal to the transfer.
  static func attributed(_ error: any Error, remote: String) -> any Error {
    if error is RemoteError || error is CancellationError { return error }
    if let fetch = error as? FetchError {
      if case .transport = fetch {
        return RemoteError("remote '\(remote)': \(fetch.message)", isFatal: true)
      }
      return RemoteError("remote '\(remote)': \(fetch.message)", hint: fetch.hint)
    }
    return RemoteError("remote '\(remote)': \(error)")
  }

  /// A downloaded object whose bytes do not hash to its name: refused, never promoted.
  static func corrupt(
    remote: String, key: String, label: String, expected: Digest, actual: Digest, size: Int
  ) -> RemoteError {
    RemoteError(
      "remote '\(remote)' holds a corrupt object \(key) (\(label)): its \(size) bytes hash to "
        + "\(actual.short)…, not \(expected.short)…; it was refused and nothing was stored",
      hint: "push it again from a workspace that has it (push replaces objects of the wrong size; "
        + "delete this one on the remote first if the size matches)")
  }

  /// A local object that no longer hashes to its name: never uploaded.
  static func localCorrupt(path: String, expected: Digest, actual: Digest) -> RemoteError {
    RemoteError(
      "the cache's copy of object \(expected.short)… (\(path)) is corrupt: it hashes to "
        + "\(actual.short)…; it was not uploaded",
      hint: "run `fairflow cache verify`; a later run restores or recomputes it")
  }
}
