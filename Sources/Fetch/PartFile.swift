import Foundation

/// The `<dest>.part` file a download writes before verification, in the destination's own
/// directory so the final rename stays on one file system (doi-apis.md §13.4).
struct PartFile {
  let path: String

  /// Bytes already on disk (0 when there is no part).
  func size() -> Int64 {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// A writer that appends from `offset`, dropping anything after it (0 starts afresh).
  func open(at offset: Int64, limit: Int64?, reporter: ProgressReporter) throws -> PartWriter {
    if !FileManager.default.fileExists(atPath: path) {
      guard FileManager.default.createFile(atPath: path, contents: nil) else {
        throw FetchError.transport(url: path, detail: "cannot create the partial file")
      }
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.truncate(atOffset: UInt64(offset))
    try handle.seekToEnd()
    return PartWriter(handle: handle, written: offset, limit: limit, reporter: reporter)
  }

  /// fsyncs the part, renames it to `target` and fsyncs the directory.
  func promote(to target: String) throws {
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
    try handle.synchronize()
    try handle.close()
    if FileManager.default.fileExists(atPath: target) {
      try FileManager.default.removeItem(atPath: target)
    }
    try FileManager.default.moveItem(atPath: path, toPath: target)
    let directory = (target as NSString).deletingLastPathComponent
    if let handle = FileHandle(forReadingAtPath: directory) {
      try? handle.synchronize()
      try? handle.close()
    }
  }
}

/// Appends body chunks to a part file, enforcing the listed size and the size cap as it goes so
/// an oversized body is cut off early instead of filling the disk.
final class PartWriter {
  private let handle: FileHandle
  private(set) var written: Int64
  /// Listed size, or nil when unknown.
  private let limit: Int64?
  private let reporter: ProgressReporter

  init(handle: FileHandle, written: Int64, limit: Int64?, reporter: ProgressReporter) {
    self.handle = handle
    self.written = written
    self.limit = limit
    self.reporter = reporter
  }

  /// Appends `chunk`; throws ``FetchError/sizeMismatch(file:expected:actual:)`` past the listed
  /// size or ``FetchError/tooLarge(limit:)`` past `cap`.
  func append(_ chunk: [UInt8], file: String, cap: Int64?) throws {
    let after = written + Int64(chunk.count)
    if let limit, after > limit {
      throw FetchError.sizeMismatch(file: file, expected: limit, actual: after)
    }
    if let cap, after > cap { throw FetchError.tooLarge(limit: cap) }
    try handle.write(contentsOf: chunk)
    written = after
    reporter.update(written)
  }

  func close() {
    try? handle.close()
  }
}

/// What verification computed for a file.
struct Verified {
  var size: Int64
  var sha256: String
}

extension Downloader {
  /// Checks the file at `path` against the listing: size, then every listed checksum, in one
  /// read that also computes SHA-256.
  func verify(_ file: RemoteFile, at path: String) throws -> Verified {
    let size = PartFile(path: path).size()
    if let expected = file.size, expected != size {
      throw FetchError.sizeMismatch(file: file.path, expected: expected, actual: size)
    }
    var hasher = MultiHasher([.sha256] + file.checksums.map(\.algorithm))
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
      hasher.update([UInt8](data))
    }
    let digests = hasher.digests()
    for checksum in file.checksums {
      let actual = digests[checksum.algorithm] ?? ""
      if actual != checksum.hex {
        throw FetchError.checksumMismatch(
          file: file.path, algorithm: checksum.algorithm.rawValue, expected: checksum.hex,
          actual: actual)
      }
    }
    return Verified(size: size, sha256: digests[.sha256] ?? "")
  }

  /// Copies a `file://` source (a local bag payload) into the part; returns false (not resumed).
  func copyLocal(_ file: RemoteFile, to part: PartFile, reporter: ProgressReporter) throws -> Bool {
    guard let source = FileHandle(forReadingAtPath: file.url.path) else {
      throw FetchError.notFound(identifier: file.url.path, detail: "no such local file")
    }
    defer { try? source.close() }
    let writer = try part.open(at: 0, limit: file.size, reporter: reporter)
    defer { writer.close() }
    do {
      while let data = try source.read(upToCount: 1 << 20), !data.isEmpty {
        try writer.append([UInt8](data), file: file.path, cap: maxFileBytes)
      }
    } catch {
      part.remove()
      throw error
    }
    return false
  }
}
