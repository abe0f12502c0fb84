public import FairflowBase

/// Where a remote keeps things, relative to its root: the same layout as the local cache, so a
/// directory remote can be read with `ls` and a WebDAV remote with a browser.
///
/// ```
/// objects/ab/cdef…   content-addressed objects (files and directory manifests), SHA-256 hex
/// runs/ab/<fingerprint>   run-cache entries (written after every object they name)
/// ```
public enum RemoteKey {
  public static func object(_ digest: Digest) -> String {
    let hex = digest.hex
    return "objects/\(hex.prefix(2))/\(hex.dropFirst(2))"
  }

  public static func run(_ fingerprint: Digest) -> String {
    "runs/\(fingerprint.hex.prefix(2))/\(fingerprint.hex)"
  }
}

/// One kind of remote (a directory, WebDAV): moves whole objects by key. Keys come only from
/// ``RemoteKey`` (hex digests), never from what a remote sends, so no name from a remote can
/// reach outside the remote's root or the local cache.
public protocol RemoteStorage: Sendable {
  /// The remote's name and location, safe to print (no credentials).
  var display: String { get }
  /// The stored size at `key`, or nil when nothing is there.
  func size(of key: String) async throws -> Int?
  /// Stores the bytes of `source` at `key`, replacing what is there; a reader never sees a
  /// partial object at `key`.
  func upload(_ source: ObjectSource, to key: String) async throws
  /// Stores small bytes (a run-cache entry) at `key`.
  func put(_ bytes: [UInt8], to key: String) async throws
  /// Appends the object at `key` to `sink`, from `sink.count` on when the remote can resume;
  /// false when nothing is there.
  func download(_ key: String, into sink: ObjectSink) async throws -> Bool
  /// The bytes at `key` (at most `limit`), or nil when nothing is there.
  func get(_ key: String, limit: Int) async throws -> [UInt8]?
  /// Makes what was stored durable (a directory remote syncs its file system once per batch).
  func flush() async throws
}
