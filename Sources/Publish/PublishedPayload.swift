public import Foundation
internal import FairflowBase

/// The payload of a published bundle as its `ro-crate-metadata.json` lists it: every file's
/// payload path, SHA-256 and size. It is what a download is checked against and how the flat
/// files of a repository record are put back in place: a deposit uploads each payload file under
/// the key ``ZenodoDepositor/uploadKeys(for:)`` gives (its name, or its path with `/` → `__`),
/// and the same function over the crate's paths (plus the crate itself) maps each key back.
public struct PublishedPayload: Sendable, Equatable {
  /// One `File` entity of the crate.
  public struct Entry: Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var size: Int64

    public init(path: String, sha256: String, size: Int64) {
      self.path = path
      self.sha256 = sha256
      self.size = size
    }
  }

  /// Every file the crate lists (not the crate itself), sorted by path.
  public var entries: [Entry]
  /// The DOI the crate's root data set names (`identifier` https://doi.org/…), if any.
  public var doi: String?

  public init(entries: [Entry], doi: String? = nil) {
    self.entries = entries.sorted { $0.path < $1.path }
    self.doi = doi
  }

  /// Reads the `File` entities of an RO-Crate written by ``ROCrateWriter``: the path is the
  /// percent-decoded `@id`, checked like any bundle path; `sha256` and `contentSize` are required.
  public init(roCrate bytes: [UInt8]) throws(PublishError) {
    let graph: [Value]
    do {
      let document = try JSONParser.parse(
        String(decoding: bytes, as: UTF8.self), file: BundleLayout.roCrate)
      graph = document["@graph"]?.listValue ?? []
    } catch {
      throw .invalidBundle(error.message)
    }
    var entries: [Entry] = []
    var doi: String?
    for item in graph where item["@id"]?.stringValue == "./" {
      let prefix = "https://doi.org/"
      if let identifier = item["identifier"]?.stringValue, identifier.hasPrefix(prefix) {
        doi = String(identifier.dropFirst(prefix.count))
      }
    }
    for item in graph where item["@type"]?.stringValue == "File" {
      guard let id = item["@id"]?.stringValue, let path = id.removingPercentEncoding,
        (try? BundlePath.check(path)) != nil
      else {
        throw .invalidBundle(
          "\(BundleLayout.roCrate): unsafe file @id '\(item["@id"]?.stringValue ?? "?")'")
      }
      guard let sha256 = item["sha256"]?.stringValue, sha256.count == 64,
        let size = item["contentSize"]?.stringValue.flatMap({ Int64($0) })
      else {
        throw .invalidBundle("\(BundleLayout.roCrate): \(path) has no sha256 or contentSize")
      }
      guard !entries.contains(where: { $0.path == path }) else { throw .duplicatePath(path) }
      entries.append(Entry(path: path, sha256: sha256.lowercased(), size: size))
    }
    guard !entries.isEmpty else {
      throw .invalidBundle("\(BundleLayout.roCrate) lists no files: not a fairflow bundle")
    }
    self.init(entries: entries, doi: doi)
  }

  public func entry(_ path: String) -> Entry? { entries.first { $0.path == path } }

  /// Repository key → payload path, for every listed file and the crate itself.
  public func pathsByUploadKey() throws(PublishError) -> [String: String] {
    let paths = entries.map(\.path) + [BundleLayout.roCrate]
    let keys = try ZenodoDepositor.uploadKeys(for: paths)
    return Dictionary(uniqueKeysWithValues: zip(keys, paths))
  }

  /// Checks that every listed file is under `payload` with its size and SHA-256; the error names
  /// the first file that is missing or differs.
  public func verify(in payload: URL) throws(PublishError) {
    for entry in entries {
      let file = payload.appendingPathComponent(entry.path)
      guard FileManager.default.fileExists(atPath: file.path) else {
        throw .invalidBundle("\(entry.path) is listed in the RO-Crate but missing")
      }
      let hashes = try FileHashes.of(file)
      guard hashes.sha256 == entry.sha256, hashes.size == entry.size else {
        throw .invalidBundle(
          "\(entry.path): sha256 \(hashes.sha256.prefix(12)) (\(hashes.size) bytes), the "
            + "RO-Crate says \(entry.sha256.prefix(12)) (\(entry.size) bytes): the file was "
            + "altered after publication")
      }
    }
  }
}
