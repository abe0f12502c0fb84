public import FairflowBase
internal import FairflowCore

/// The content of a directory output: sorted entries of (relative path, digest, size, mode).
///
/// Stored as an object in the `ObjectStore` like any file; its canonical JSON bytes
/// (`{"entries":[{"digest":…,"mode":"644","path":…,"size":…}],"schema":1}`) are hashed, so the
/// directory's digest changes iff a name, a content, or an executable bit changes.
public struct DirectoryManifest: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public var path: String
    public var digest: Digest
    public var size: Int
    public var executable: Bool

    public init(path: String, digest: Digest, size: Int, executable: Bool) {
      self.path = path
      self.digest = digest
      self.size = size
      self.executable = executable
    }
  }

  public var entries: [Entry]

  public init(entries: [Entry]) {
    self.entries = entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
  }

  public var totalSize: Int { entries.reduce(0) { $0 + $1.size } }

  public var canonicalText: String {
    let list = entries.map { entry -> Value in
      .map([
        ("digest", .string(entry.digest.hex)), ("mode", .string(entry.executable ? "755" : "644")),
        ("path", .string(entry.path)), ("size", .int(entry.size)),
      ])
    }
    return Value.map([("entries", .list(list)), ("schema", .int(1))]).canonicalText
  }

  public var digest: Digest { Digest.of(canonicalText) }

  public static func decode(_ text: String, file: String) throws(StoreError) -> DirectoryManifest {
    let value: Value
    do { value = try ValueParser.parse(text, file: file) } catch {
      throw StoreError("read manifest", path: file, detail: error.problem)
    }
    guard value["schema"] == .int(1), let list = value["entries"]?.listValue else {
      throw StoreError("read manifest", path: file, detail: "not a directory manifest")
    }
    var entries: [Entry] = []
    for item in list {
      guard let path = item["path"]?.stringValue, let hex = item["digest"]?.stringValue,
        let digest = Digest(hex: hex),
        let size = item["size"]?.intValue, let mode = item["mode"]?.stringValue,
        case .success(let normalized) = WorkspacePath.normalize(path), normalized == path
      else { throw StoreError("read manifest", path: file, detail: "malformed entry") }
      entries.append(Entry(path: path, digest: digest, size: size, executable: mode == "755"))
    }
    return DirectoryManifest(entries: entries)
  }
}
