internal import Glibc
internal import Synchronization
public import FairflowCore

/// Remembers the digest of files by their metadata, so unchanged files are never re-hashed.
///
/// Key: workspace-relative path. Valid while (device, inode, size, mtime ns, ctime ns) are
/// unchanged **and** the entry is not "racy": a file whose mtime is within one second of the
/// moment it was hashed may have been written again in the same timestamp tick, so such entries
/// are re-hashed next time (git's racy-clean rule).
///
/// On disk `cache/state/stat-cache` (binary, little-endian, rewritten atomically when changed):
/// ```
/// "FFSTAT01" | u32 count | count × { u16 pathLen, path, u64 dev, u64 ino, i64 size,
///                                    i64 mtime_ns, i64 ctime_ns, i64 hashed_at_ns, 32-byte sha256 }
/// ```
public final class StatCache: Sendable {
  struct Entry {
    var stat: FileStat
    var hashedAt: Int64
    var digest: Digest
  }

  static let magic = Array("FFSTAT01".utf8)
  static let racyWindow: Int64 = 1_000_000_000
  struct State {
    var entries: [String: Entry] = [:]
    var dirty = false
  }

  private let state: Mutex<State>
  public let file: String

  public init(file: String) {
    self.file = file
    let entries = (try? FileIO.read(file)).map(StatCache.decode) ?? [:]
    state = Mutex(State(entries: entries))
  }

  /// The cached digest if `stat` still matches and the entry is not racy.
  public func digest(for path: String, stat: FileStat) -> Digest? {
    state.withLock { state in
      guard let entry = state.entries[path], entry.stat.inode == stat.inode, entry.stat.device == stat.device,
        entry.stat.size == stat.size, entry.stat.mtimeNanoseconds == stat.mtimeNanoseconds,
        entry.stat.ctimeNanoseconds == stat.ctimeNanoseconds,
        stat.mtimeNanoseconds < entry.hashedAt - StatCache.racyWindow
      else { return nil }
      return entry.digest
    }
  }

  public func record(_ path: String, stat: FileStat, digest: Digest) {
    state.withLock { state in
      if let old = state.entries[path], old.stat == stat, old.digest == digest,
        stat.mtimeNanoseconds < old.hashedAt - StatCache.racyWindow
      {
        return
      }
      state.entries[path] = Entry(stat: stat, hashedAt: StatCache.now(), digest: digest)
      state.dirty = true
    }
  }

  public func forget(_ path: String) {
    state.withLock { state in
      if state.entries.removeValue(forKey: path) != nil { state.dirty = true }
    }
  }

  /// Hashes `path` (relative to `root`) unless its cached digest is still valid.
  public func digestOfFile(_ path: String, root: String, stat: FileStat) throws(StoreError) -> Digest {
    if let cached = digest(for: path, stat: stat) { return cached }
    let (digest, _) = try FileHasher.hash(root + "/" + path)
    record(path, stat: stat, digest: digest)
    return digest
  }

  /// Writes the cache if anything changed.
  public func save() throws(StoreError) {
    let bytes: [UInt8]? = state.withLock { state in
      guard state.dirty else { return nil }
      state.dirty = false
      return StatCache.encode(state.entries)
    }
    if let bytes { try FileIO.writeAtomically(bytes, to: file) }
  }

  static func now() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
  }

  static func encode(_ entries: [String: Entry]) -> [UInt8] {
    var out = magic
    out.reserveCapacity(12 + entries.count * 120)
    func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
    put(UInt32(entries.count))
    for (path, entry) in entries {
      let utf8 = Array(path.utf8)
      put(UInt16(utf8.count))
      out.append(contentsOf: utf8)
      put(entry.stat.device)
      put(entry.stat.inode)
      put(Int64(entry.stat.size))
      put(entry.stat.mtimeNanoseconds)
      put(entry.stat.ctimeNanoseconds)
      put(entry.hashedAt)
      out.append(contentsOf: entry.digest.bytes)
    }
    return out
  }

  /// Decodes; anything malformed yields an empty cache (it is only an optimisation).
  static func decode(_ bytes: [UInt8]) -> [String: Entry] {
    guard bytes.count >= 12, Array(bytes[0..<8]) == magic else { return [:] }
    var offset = 8
    func get<T: FixedWidthInteger>(_: T.Type) -> T? {
      let size = MemoryLayout<T>.size
      guard offset + size <= bytes.count else { return nil }
      var value: T = 0
      withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset..<offset + size]) }
      offset += size
      return T(littleEndian: value)
    }
    // Each entry takes at least 74 bytes: a count beyond that is corruption, not a size to allocate.
    guard let count = get(UInt32.self), Int(count) <= (bytes.count - offset) / 74 else { return [:] }
    var entries: [String: Entry] = [:]
    entries.reserveCapacity(Int(count))
    for _ in 0..<count {
      guard let length = get(UInt16.self), offset + Int(length) <= bytes.count else { return [:] }
      let path = String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self)
      offset += Int(length)
      guard let dev = get(UInt64.self), let ino = get(UInt64.self), let size = get(Int64.self),
        let mtime = get(Int64.self), let ctime = get(Int64.self), let hashedAt = get(Int64.self),
        offset + 32 <= bytes.count
      else { return [:] }
      let digest = Digest(bytes: bytes[offset..<offset + 32])
      offset += 32
      let stat = FileStat(kind: .file, device: dev, inode: ino, size: Int(size), mtimeNanoseconds: mtime, ctimeNanoseconds: ctime, mode: 0)
      entries[path] = Entry(stat: stat, hashedAt: hashedAt, digest: digest)
    }
    return entries
  }
}
