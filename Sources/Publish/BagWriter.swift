internal import FairflowBase
public import Foundation

/// Makes a directory whose payload is already in `data/` a complete and valid BagIt 1.0 bag
/// (RFC 8493): `bagit.txt`, `bag-info.txt` (Bagging-Date from the injected date, Payload-Oxum),
/// payload manifests for SHA-256 and SHA-512 (the two RFC 8493 §2.4 requires tools to support)
/// and a SHA-256 tag manifest over the four tag files.
///
/// Manifest lines are `<hex>  data/<path>` sorted by path; in paths `%`, LF and CR are
/// percent-encoded (§2.1.3). The digests come from the caller, who hashed the payload as it was
/// written, so no file is read twice.
public enum BagWriter {
  /// The tag files written, in the order written.
  public static let tagFiles = [
    "bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt",
    "tagmanifest-sha256.txt",
  ]

  /// Writes the tag files into `directory`. `payload` lists every file under `data/`.
  public static func write(
    bagAt directory: URL, payload: [PayloadFile], date: BundleDate, description: String? = nil,
    externalIdentifier: String? = nil
  ) throws(PublishError) {
    let files = payload.sorted { $0.path < $1.path }
    let totalBytes = files.reduce(Int64(0)) { $0 + $1.size }
    var info = [
      ("Bag-Software-Agent", "fairflow \(FairflowVersion.current)"),
      ("Bagging-Date", date.day),
    ]
    if let description { info.append(("External-Description", oneLine(description))) }
    if let externalIdentifier { info.append(("External-Identifier", oneLine(externalIdentifier))) }
    info.append(("Payload-Oxum", "\(totalBytes).\(files.count)"))
    let tags: [(name: String, text: String)] = [
      ("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"),
      ("bag-info.txt", info.map { "\($0.0): \($0.1)\n" }.joined()),
      ("manifest-sha256.txt", manifest(files.map { ($0.sha256, "data/" + $0.path) })),
      ("manifest-sha512.txt", manifest(files.map { ($0.sha512, "data/" + $0.path) })),
    ]
    var tagDigests: [(String, String)] = []
    for tag in tags {
      let bytes = Array(tag.text.utf8)
      try BundleIO.write(bytes, to: directory.appendingPathComponent(tag.name))
      tagDigests.append((FileHashes.of(bytes: bytes).sha256, tag.name))
    }
    try BundleIO.write(
      Array(manifest(tagDigests).utf8),
      to: directory.appendingPathComponent("tagmanifest-sha256.txt"))
  }

  static func manifest(_ entries: [(digest: String, path: String)]) -> String {
    entries.sorted { $0.path < $1.path }.map { "\($0.digest)  \(encode($0.path))\n" }.joined()
  }

  static func encode(_ path: String) -> String {
    path.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\n", with: "%0A")
      .replacingOccurrences(of: "\r", with: "%0D")
  }

  /// bag-info values are single lines here (RFC 8493 allows folding; nothing needs it).
  static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
  }
}

/// File writes for the bundle, with errors mapped to ``PublishError``.
enum BundleIO {
  static func write(_ bytes: [UInt8], to url: URL) throws(PublishError) {
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(bytes).write(to: url)
    } catch {
      throw .io(path: url.path, detail: "\(error.localizedDescription)")
    }
  }

  static func copy(_ source: URL, to url: URL) throws(PublishError) {
    do {
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try FileManager.default.copyItem(at: source, to: url)
    } catch {
      throw .io(path: source.path, detail: "\(error.localizedDescription)")
    }
  }
}
