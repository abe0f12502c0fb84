/// One file of the bundle's payload (under the bag's `data/`) with its size and digests, as the
/// RO-Crate, the bag manifests and the deposit check them.
public struct PayloadFile: Sendable, Equatable {
  /// `/`-separated path relative to `data/`.
  public var path: String
  public var size: Int64
  public var sha256: String
  public var sha512: String
  public var md5: String

  public init(path: String, size: Int64, sha256: String, sha512: String, md5: String) {
    self.path = path
    self.size = size
    self.sha256 = sha256
    self.sha512 = sha512
    self.md5 = md5
  }

  init(path: String, hashes: FileHashes) {
    self.init(
      path: path, size: hashes.size, sha256: hashes.sha256, sha512: hashes.sha512,
      md5: hashes.md5)
  }

  /// A media type from the extension, for RO-Crate's `encodingFormat`; nil when unknown.
  var mediaType: String? {
    let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
    switch ext {
    case "json": return "application/json"
    case "md": return "text/markdown"
    case "cff", "yaml", "yml": return "application/yaml"
    case "txt": return "text/plain"
    case "csv": return "text/csv"
    case "onnx": return "application/onnx"
    case "h5", "hdf5": return "application/x-hdf5"
    case "svg": return "image/svg+xml"
    case "png": return "image/png"
    default: return nil
    }
  }
}
