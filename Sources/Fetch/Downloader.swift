import Foundation

/// A file that is downloaded, verified and at its final path in the staging directory.
public struct DownloadedFile: Sendable, Equatable {
  public var remote: RemoteFile
  /// Absolute path of the verified file.
  public var localPath: String
  public var size: Int64
  /// SHA-256 of the bytes, lowercase hex, computed locally whatever the repository lists.
  public var sha256: String
  /// The listed checksums, each of which matched.
  public var verified: [Checksum]

  public init(
    remote: RemoteFile, localPath: String, size: Int64, sha256: String, verified: [Checksum]
  ) {
    self.remote = remote
    self.localPath = localPath
    self.size = size
    self.sha256 = sha256
    self.verified = verified
  }
}

/// Downloads listed files into a staging directory so that only verified bytes ever reach a
/// final path (doi-apis.md §13.2–13.5).
///
/// Layout: `staging/<path>.part` receives the bytes; after the size and every listed checksum
/// match (and SHA-256 is computed) it is fsynced and renamed to `staging/<path>`. A `.part` left
/// by an interrupted run is resumed with `Range: bytes=<len>-`, trusted only when the answer is a
/// 206 whose `Content-Range` lines up; a 200 restarts from zero. A body cut short is resumed the
/// same way within the retry budget (``RequestPolicy/maxAttempts``). A size or checksum mismatch
/// deletes the part (a resumed file is restarted from zero once first) and throws; a network
/// failure or cancellation keeps the part for the next run.
public struct Downloader: Sendable {
  public var client: WebClient
  public var maxConcurrent: Int
  /// No file larger than this is accepted, whatever the listing says.
  public var maxFileBytes: Int64?

  public init(client: WebClient, maxConcurrent: Int = 4, maxFileBytes: Int64? = nil) {
    self.client = client
    self.maxConcurrent = max(1, maxConcurrent)
    self.maxFileBytes = maxFileBytes
  }

  /// Downloads into `staging/<file.path>` via `staging/<file.path>.part`, resuming a `.part` left
  /// by an earlier try with `Range: bytes=<len>-` (accepted only as a 206 whose Content-Range
  /// start matches; a 200 restarts from zero); re-requests with Range when the body ends early,
  /// up to the retry budget; rejects HTML where data is expected when the listed name is not
  /// HTML; checks the size and every listed checksum and always computes SHA-256; on any mismatch
  /// deletes the partial and throws; on success renames atomically to the final path.
  /// `file://` URLs are copied with the same checks.
  public func download(
    _ file: RemoteFile, into staging: String,
    progress: (@Sendable (DownloadProgress) -> Void)? = nil
  ) async throws -> DownloadedFile {
    let reporter = ProgressReporter(
      file: file.path, total: file.size, batch: BatchCounter(total: 1), callback: progress)
    return try await download(file, into: staging, reporter: reporter)
  }

  /// All files, at most ``maxConcurrent`` at a time; results in the input order. The first error
  /// cancels the rest (their partials are kept for resume, never promoted). Two files whose
  /// paths differ only in case are refused up front (they collide on macOS and Windows).
  public func downloadAll(
    _ files: [RemoteFile], into staging: String,
    progress: (@Sendable (DownloadProgress) -> Void)? = nil
  ) async throws -> [DownloadedFile] {
    var seen: [String: String] = [:]
    for file in files {
      if let other = seen.updateValue(file.path, forKey: file.path.lowercased()) {
        throw FetchError.unsafePath("\(file.path) (collides with \(other))")
      }
    }
    let batch = BatchCounter(total: files.count)
    return try await withThrowingTaskGroup(of: (Int, DownloadedFile).self) { group in
      var results = [DownloadedFile?](repeating: nil, count: files.count)
      var next = 0
      func start(_ index: Int, in group: inout ThrowingTaskGroup<(Int, DownloadedFile), any Error>)
      {
        let file = files[index]
        group.addTask {
          let reporter = ProgressReporter(
            file: file.path, total: file.size, batch: batch, callback: progress)
          return (index, try await download(file, into: staging, reporter: reporter))
        }
      }
      while next < min(maxConcurrent, files.count) {
        start(next, in: &group)
        next += 1
      }
      while let (index, result) = try await group.next() {
        results[index] = result
        if next < files.count {
          start(next, in: &group)
          next += 1
        }
      }
      return results.compactMap { $0 }
    }
  }

  func download(
    _ file: RemoteFile, into staging: String, reporter: ProgressReporter
  ) async throws -> DownloadedFile {
    let target = try SafePath.resolve(file.path, in: staging)
    if let size = file.size, let cap = maxFileBytes, size > cap {
      throw FetchError.tooLarge(limit: cap)
    }
    try FileManager.default.createDirectory(
      atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    if let kept = try reuseVerified(file, at: target) {
      reporter.finish(kept.size)
      return kept
    }
    let part = PartFile(path: target + ".part")
    var restarted = false
    while true {
      let resumed: Bool
      do {
        resumed =
          file.url.isFileURL
          ? try copyLocal(file, to: part, reporter: reporter)
          : try await transfer(file, to: part, reporter: reporter)
      } catch let error as FetchError where error.condemnsPartial {
        part.remove()
        throw error
      }
      try Task.checkCancellation()
      let digest: Verified
      do {
        digest = try verify(file, at: part.path)
      } catch let error as FetchError {
        part.remove()
        if resumed, !restarted {
          restarted = true
          continue
        }
        throw error
      }
      try part.promote(to: target)
      reporter.finish(digest.size)
      return DownloadedFile(
        remote: file, localPath: target, size: digest.size, sha256: digest.sha256,
        verified: file.checksums)
    }
  }

  /// A final file from an earlier run, if every listed checksum still matches (size alone is not
  /// enough); a file that no longer verifies is removed.
  private func reuseVerified(_ file: RemoteFile, at target: String) throws -> DownloadedFile? {
    guard FileManager.default.fileExists(atPath: target) else { return nil }
    if !file.checksums.isEmpty, let digest = try? verify(file, at: target) {
      return DownloadedFile(
        remote: file, localPath: target, size: digest.size, sha256: digest.sha256,
        verified: file.checksums)
    }
    try FileManager.default.removeItem(atPath: target)
    return nil
  }
}

extension FetchError {
  /// Errors after which the bytes on disk can never become the file (keep nothing); network
  /// failures are not among them (the part is kept for resume).
  var condemnsPartial: Bool {
    switch self {
    case .sizeMismatch, .checksumMismatch, .tooLarge: true
    default: false
    }
  }
}
