public import FairflowCore
internal import FairflowBase
internal import Glibc

/// What one `fairflow run` of a pipeline claims and what it has recorded so far:
/// `cache/locks/<pipeline>/runs/<RUN>.journal`, held with an exclusive `flock` for the run's life.
///
/// The first record is the run's **claim**: its holder (pid, host, start) and the stages it may
/// write (it executes or restores them) and those it reads (up-to-date stages whose outputs feed
/// a stage it writes). Claims are written and read only under the pipeline's decision lock
/// (``StageClaims``), which is how runs on disjoint stages proceed in parallel while overlapping
/// ones wait. After it, every lock entry the run records is **appended** — one `write` of that
/// entry, O(that stage) — and the run merges them into `pipelines/NAME.lock` once, at its end.
///
/// A run killed with SIGKILL leaves its journal behind, unlocked: the next run of the pipeline
/// merges its entries (``StageClaims/scan()``), so no finished stage is lost. A record torn by
/// the kill fails its checksum and ends the journal there.
///
/// Layout: `"FFJRNL01"`, then records of `tag (1 byte) | payload length (UInt32 LE) | first 8
/// bytes of the payload's SHA-256 | payload`; tag `C` is the claim (JSON), `E` a lock entry
/// (``LockEntry/binary``).
public final class RunJournal: @unchecked Sendable {
  static let magic = Array("FFJRNL01".utf8)

  public struct Claim: Sendable, Equatable {
    public var run: String
    public var holder: WorkspaceLock.Holder
    /// Stages the run executes or restores (their outputs and lock entries are its to write).
    public var writes: [String]
    /// Up-to-date stages whose outputs the run reads as inputs of stages it writes.
    public var reads: [String]

    public init(run: String, holder: WorkspaceLock.Holder, writes: [String], reads: [String]) {
      self.run = run
      self.holder = holder
      self.writes = writes
      self.reads = reads
    }

    var json: String {
      Value.map([
        ("run", .string(run)), ("pid", .int(Int(holder.pid))), ("host", .string(holder.host)),
        ("started", .string(holder.started)), ("writes", .list(writes.map(Value.string))),
        ("reads", .list(reads.map(Value.string))),
      ]).canonicalText
    }

    init?(json text: String) {
      guard let value = try? ValueParser.parse(text, file: "journal"),
        let run = value["run"]?.stringValue, let pid = value["pid"]?.intValue,
        case .list(let writes)? = value["writes"], case .list(let reads)? = value["reads"]
      else { return nil }
      self.init(
        run: run,
        holder: WorkspaceLock.Holder(
          pid: Int32(truncatingIfNeeded: pid), host: value["host"]?.stringValue ?? "?",
          started: value["started"]?.stringValue ?? "?"),
        writes: writes.compactMap(\.stringValue), reads: reads.compactMap(\.stringValue))
    }
  }

  /// A journal as read back: its claim and the entries that survived intact, in order.
  public struct Contents: Sendable {
    public var claim: Claim?
    public var entries: [LockEntry]
    /// The stages the run recorded a lock entry for (it finished them).
    public var finished: Set<String> { Set(entries.map(\.stage)) }
  }

  public let path: String
  private var fd: Int32

  init(path: String, fd: Int32) {
    self.path = path
    self.fd = fd
  }

  deinit { if fd >= 0 { close(fd) } }

  /// Creates `path` holding `claim`, locked by this process until ``finish()``.
  static func create(_ path: String, claim: Claim) throws(StoreError) -> RunJournal {
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw .system("create", path: path) }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      close(fd)
      throw .system("lock", path: path)
    }
    let journal = RunJournal(path: path, fd: fd)
    try journal.append(magic + record(tag: "C", Array(claim.json.utf8)))
    return journal
  }

  /// Appends one lock entry (one `write`; not synced — the run cache already holds the stage,
  /// and a torn tail is dropped when read).
  public func append(_ entry: LockEntry) throws(StoreError) {
    try append(Self.record(tag: "E", entry.binary))
  }

  private func append(_ bytes: [UInt8]) throws(StoreError) {
    try FileIO.writeAll(fd, bytes, path: path)
  }

  /// Removes the journal and releases its lock (after its entries reached the lock file).
  public func finish() {
    guard fd >= 0 else { return }
    unlink(path)
    close(fd)
    fd = -1
  }

  /// Releases the lock and leaves the file for the next run to merge (the lock file could not
  /// be written).
  public func abandon() {
    guard fd >= 0 else { return }
    close(fd)
    fd = -1
  }

  static func record(tag: Character, _ payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [tag.asciiValue!]
    withUnsafeBytes(of: UInt32(payload.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: Digest.of(payload).bytes.prefix(8))
    return out + payload
  }

  /// Parses a journal's bytes; reading stops at the first incomplete or corrupt record.
  public static func parse(_ bytes: [UInt8]) -> Contents {
    var contents = Contents(claim: nil, entries: [])
    guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
      return contents
    }
    var offset = magic.count
    while bytes.count - offset >= 13 {
      let tag = bytes[offset]
      let length = (0..<4).reduce(0) { $0 | Int(bytes[offset + 1 + $1]) << (8 * $1) }
      let start = offset + 13
      guard length <= bytes.count - start else { break }
      let payload = Array(bytes[start..<start + length])
      guard Array(Digest.of(payload).bytes.prefix(8)) == Array(bytes[offset + 5..<start]) else {
        break
      }
      switch tag {
      case UInt8(ascii: "C"):
        contents.claim = Claim(json: String(decoding: payload, as: UTF8.self))
      case UInt8(ascii: "E"):
        guard let entry = LockEntry(binary: payload) else { return contents }
        contents.entries.append(entry)
      default:
        return contents
      }
      offset = start + length
    }
    return contents
  }
}
