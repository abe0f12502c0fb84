/// A ROOT file opened for reading: its header, directories and keys (reference §1). Trees are
/// read with `tree(_:)`, RNTuples with `rntuple(_:)`; values with `TTree.read(_:entries:)` and
/// `RNTuple.read(_:entries:)`.
///
/// Thread-safe for reading: the file is read with pread and parsed objects are values.
public final class ROOTFile: Sendable {
  public let path: String
  /// `10000*major + 100*minor + patch` of the ROOT that wrote the file (e.g. 62004 = 6.20/04).
  public let version: Int
  let file: RandomAccessFile
  let rootDirectory: Int

  public init(path: String) throws(ROOTError) {
    self.path = path
    do throws(ROOTError) {
      file = try RandomAccessFile(path: path)
      var c = Cursor(try file.read(at: 0, count: min(file.size, 75), "file header"))
      guard c.remaining >= 4, try c.take(4) == Array("root".utf8)[...] else {
        throw ROOTError("not a ROOT file (no 'root' magic)")
      }
      let fVersion = Int(try c.i32("fVersion"))
      let fBegin = try c.count("fBEGIN")
      let large = fVersion >= 1_000_000
      let end: Int64
      if large {
        end = try c.i64("fEND")
        _ = try c.i64("fSeekFree")
      } else {
        end = Int64(try c.i32("fEND"))
        _ = try c.i32("fSeekFree")
      }
      _ = try c.i32("fNbytesFree")
      _ = try c.i32("nfree")
      let nbytesName = try c.count("fNbytesName")
      _ = try c.take(1)  // fUnits
      _ = try c.i32("fCompress")
      let seekInfo = large ? try c.i64("fSeekInfo") : Int64(try c.i32("fSeekInfo"))
      let nbytesInfo = Int64(try c.i32("fNbytesInfo"))
      // A file whose header claims more bytes than it has was cut short (an interrupted
      // download or copy); say so before any record is read from the missing part.
      guard end >= 0, end <= Int64(file.size) else {
        throw ROOTError.corrupt(
          "the header says the file ends at byte \(end), but it has \(file.size) bytes "
            + "(truncated, e.g. by an interrupted download?)")
      }
      guard seekInfo >= 0, nbytesInfo >= 0, seekInfo + nbytesInfo <= end else {
        throw ROOTError.corrupt(
          "streamer info at byte \(seekInfo) (\(nbytesInfo) bytes) lies outside the \(end)-byte file"
        )
      }
      version = large ? fVersion - 1_000_000 : fVersion
      rootDirectory = fBegin + nbytesName
    } catch {
      throw error.context(path)
    }
  }

  /// One entry of a directory listing.
  public struct Entry: Sendable, Equatable {
    /// Slash-separated path from the root directory, without cycle: "ntupler/tree".
    public var path: String
    public var className: String
    public var title: String
    public var cycle: Int
    public var isDirectory: Bool { className == "TDirectory" || className == "TDirectoryFile" }
    public var isTree: Bool { ["TTree", "TNtuple", "TNtupleD"].contains(className) }
    public var isRNTuple: Bool { className == RNTuple.className }
  }

  /// Every key, depth first (directories before their contents); for several cycles of one name
  /// only the highest is listed.
  public func entries() throws(ROOTError) -> [Entry] {
    var out: [Entry] = []
    var visited: Set<Int> = []
    do throws(ROOTError) {
      try list(directory: rootDirectory, prefix: "", into: &out, visited: &visited, depth: 0)
    } catch { throw error.context(path) }
    return out
  }

  func list(
    directory offset: Int, prefix: String, into out: inout [Entry], visited: inout Set<Int>,
    depth: Int
  ) throws(ROOTError) {
    guard depth < 64, visited.insert(offset).inserted else {
      throw .corrupt("directory structure loops or nests deeper than 64 levels")
    }
    for key in try keys(inDirectoryAt: offset) {
      let path = prefix + key.name
      let entry = Entry(path: path, className: key.className, title: key.title, cycle: key.cycle)
      out.append(entry)
      if entry.isDirectory {
        try list(
          directory: key.seekKey + key.keylen, prefix: path + "/", into: &out, visited: &visited,
          depth: depth + 1)
      }
    }
  }

  /// The keys of the directory whose TDirectory header is at `offset`, highest cycle per name.
  func keys(inDirectoryAt offset: Int) throws(ROOTError) -> [Key] {
    var c = Cursor(
      try file.read(at: offset, count: min(60, file.size - offset), "directory header"))
    let version = Int(try c.i16("directory version"))
    _ = try c.u32("fDatimeC")
    _ = try c.u32("fDatimeM")
    let nbytesKeys = try c.count("fNbytesKeys")
    _ = try c.i32("fNbytesName")
    let seekKeys: Int
    if version > 1000 {
      _ = try c.i64("fSeekDir")
      _ = try c.i64("fSeekParent")
      seekKeys = Int(try c.i64("fSeekKeys"))
    } else {
      _ = try c.i32("fSeekDir")
      _ = try c.i32("fSeekParent")
      seekKeys = Int(try c.i32("fSeekKeys"))
    }
    guard seekKeys != 0 else { return [] }
    var k = Cursor(try file.read(at: seekKeys, count: nbytesKeys, "key list"))
    _ = try Key(&k)
    let n = try k.count("number of keys")
    guard n <= nbytesKeys / 26 else { throw .corrupt("key list claims \(n) keys") }
    var best: [String: Key] = [:]
    var order: [String] = []
    for _ in 0..<n {
      let key = try Key(&k)
      if let existing = best[key.name] {
        if key.cycle > existing.cycle { best[key.name] = key }
      } else {
        best[key.name] = key
        order.append(key.name)
      }
    }
    return order.map { best[$0]! }
  }

  /// The key at `path` ("dir/sub/name"), searching directories.
  func key(path: String) throws(ROOTError) -> Key {
    var directory = rootDirectory
    let parts = path.split(separator: "/").map(String.init)
    guard !parts.isEmpty else { throw ROOTError("\(self.path): empty object path") }
    for (i, part) in parts.enumerated() {
      let keys = try keys(inDirectoryAt: directory)
      guard let key = keys.first(where: { $0.name == part }) else {
        let names = keys.map(\.name)
        throw ROOTError(
          "\(self.path): no object '\(parts[...i].joined(separator: "/"))'",
          hint: names.isEmpty ? nil : "available: \(names.joined(separator: ", "))")
      }
      if i == parts.count - 1 { return key }
      guard key.className == "TDirectory" || key.className == "TDirectoryFile" else {
        throw ROOTError(
          "\(self.path): '\(parts[...i].joined(separator: "/"))' is a \(key.className), not a directory"
        )
      }
      directory = key.seekKey + key.keylen
    }
    throw ROOTError("\(self.path): no object '\(path)'")
  }
}

extension ROOTFile {
  /// The tree at `path` ("events", "ntupler/tree"); TNtuple keys are trees too.
  public func tree(_ path: String) throws(ROOTError) -> TTree {
    let key = try key(path: path)
    guard ["TTree", "TNtuple", "TNtupleD"].contains(key.className) else {
      throw ROOTError("\(self.path): '\(path)' is a \(key.className), not a TTree")
    }
    do throws(ROOTError) {
      let data = try data(of: key, "TTree record")
      return try TreeParser.parse(data, key: key, path: path, file: self)
    } catch {
      throw error.context("\(self.path): tree '\(path)'")
    }
  }
}
