public import FairflowBase
internal import FairflowCore
internal import Glibc
internal import Synchronization

/// Remembers the digest of files by their identity and metadata, so unchanged files are never
/// re-hashed.
///
/// Key: the file's identity (device, inode) — not its path, so every hard link of a stored
/// object shares one entry and no path strings are allocated on the no-op path. An entry is valid
/// while size, mtime ns and ctime ns are unchanged **and** it is not "racy": a file whose mtime is
/// within one second of the moment it was hashed may have been written again in the same
/// timestamp tick, so such entries are re-hashed next time (git's racy-clean rule). A recycled
/// inode cannot match: creating a file sets a new ctime.
///
/// On disk `cache/state/stat-cache` (binary, little-endian, rewritten atomically when changed):
/// ```
/// "FFSTAT02" | u32 count | count × { u64 dev, u64 ino, i64 size, i64 mtime_ns, i64 ctime_ns,
///                                    i64 hashed_at_ns, 32-byte sha256 }   (80 bytes each)
/// ```
public final class StatCache: Sendable {
  struct Identity: Hashable {
    var device: UInt64
    var inode: UInt64
  }

  struct Entry {
    var size: Int
    var mtime: Int64
    var ctime: Int64
    var hashedAt: Int64
    var digest: Digest

    func matches(_ stat: FileStat) -> Bool {
      size == stat.size && mtime == stat.mtimeNanoseconds && ctime == stat.ctimeNanoseconds
        && stat.mtimeNanoseconds < hashedAt - StatCache.racyWindow
    }
  }

  struct State {
    var entries: [Identity: Entry] = [:]
    var dirty = false
  }

  static let magic = Array("FFSTAT02".utf8)
  static let entrySize = 80
  static let racyWindow: Int64 = 1_000_000_000
  private let state: Mutex<State>
  public let file: String

  public init(file: String) {
    self.file = file
    state = Mutex(State(entries: (try? FileIO.read(file)).map(StatCache.decode) ?? [:]))
  }

  /// The cached digest if the file's metadata still matches and the entry is not racy.
  public func digest(for stat: FileStat) -> Digest? {
    state.withLock { state in
      guard let entry = state.entries[Identity(device: stat.device, inode: stat.inode)],
        entry.matches(stat)
      else {
        return nil
      }
      return entry.digest
    }
  }

  /// Records that the file with this metadata has `digest`.
  public func record(_ stat: FileStat, digest: Digest) {
    state.withLock { state in
      let identity = Identity(device: stat.device, inode: stat.inode)
      if let old = state.entries[identity], old.digest == digest, old.matches(stat) { return }
      state.entries[identity] = Entry(
        size: stat.size, mtime: stat.mtimeNanoseconds, ctime: stat.ctimeNanoseconds,
        hashedAt: StatCache.now(),
        digest: digest)
      state.dirty = true
    }
  }

  /// Hashes `path` (relative to `root`) unless its cached digest is still valid.
  public func digestOfFile(_ path: String, root: String, stat: FileStat) throws(StoreError)
    -> Digest
  {
    if let cached = digest(for: stat) { return cached }
    let (digest, _) = try FileHasher.hash(root + "/" + path)
    record(stat, digest: digest)
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

  static func encode(_ entries: [Identity: Entry]) -> [UInt8] {
    var out = magic
    out.reserveCapacity(12 + entries.count * entrySize)
    func put<T: FixedWidthInteger>(_ value: T) {
      withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }
    put(UInt32(entries.count))
    for (identity, entry) in entries {
      put(identity.device)
      put(identity.inode)
      put(Int64(entry.size))
      put(entry.mtime)
      put(entry.ctime)
      put(entry.hashedAt)
      entry.digest.appendBytes(to: &out)
    }
    return out
  }

  /// Decodes; anything malformed yields an empty cache (it is only an optimisation).
  static func decode(_ bytes: [UInt8]) -> [Identity: Entry] {
    guard bytes.count >= 12, Array(bytes[0..<8]) == magic else { return [:] }
    return bytes.withUnsafeBytes { raw -> [Identity: Entry] in
      func word(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      }
      let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
      guard bytes.count == 12 + count * entrySize else { return [:] }
      var entries: [Identity: Entry] = [:]
      entries.reserveCapacity(count)
      for index in 0..<count {
        let base = 12 + index * entrySize
        let digest = Digest(raw: UnsafeRawBufferPointer(rebasing: raw[(base + 48)..<(base + 80)]))
        entries[Identity(device: word(base), inode: word(base + 8))] = Entry(
          size: Int(Int64(bitPattern: word(base + 16))), mtime: Int64(bitPattern: word(base + 24)),
          ctime: Int64(bitPattern: word(base + 32)), hashedAt: Int64(bitPattern: word(base + 40)),
          digest: digest)
      }
      return entries
    }
  }
}
