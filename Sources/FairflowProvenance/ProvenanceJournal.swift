public import FairflowGit
internal import FairflowStore
internal import Glibc

/// The workspace's own memory of what it committed: `cache/provenance-journal.tsv`, one line per
/// record (`run <TAB> file <TAB> blob id`), appended after the provenance ref has moved.
///
/// Git chains commits by hash, but someone who rewrites a record and force-moves
/// `refs/fairflow/provenance` produces a consistent new chain. `prov verify` compares the tip's
/// `runs/<run>/<file>` with every journaled blob id: a record that changed or vanished is
/// reported as rewritten. The line is written after the ref update, so a crash between the two
/// leaves a record unjournaled (unchecked), never a false alarm.
public struct ProvenanceJournal: Sendable {
  public struct Entry: Sendable, Equatable {
    public var run: String
    public var file: String
    public var blob: String
  }

  public let path: String

  public init(workspace root: String) { path = CacheLayout(workspace: root).provenanceJournal }

  /// Appends entries with one `write` under `O_APPEND` (concurrent runs never interleave lines).
  public func append(run: String, records: [(file: String, blob: ObjectID)]) {
    guard !records.isEmpty else { return }
    let text = records.map { "\(run)\t\($0.file)\t\($0.blob.hex)\n" }.joined()
    let directory = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    mkdir(directory, 0o755)
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    defer { close(fd) }
    _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
  }

  /// Every well-formed entry, the last line for a (run, file) pair winning; a torn last line is
  /// ignored.
  public func entries() -> [Entry] {
    guard let bytes = try? FileIO.read(path) else { return [] }
    var latest: [String: Entry] = [:]
    var order: [String] = []
    for line in bytes.split(separator: 10, omittingEmptySubsequences: true) {
      let fields = String(decoding: line, as: UTF8.self).split(separator: "\t").map(String.init)
      guard fields.count == 3, fields[2].count == 40 || fields[2].count == 64 else { continue }
      let key = fields[0] + "/" + fields[1]
      if latest[key] == nil { order.append(key) }
      latest[key] = Entry(run: fields[0], file: fields[1], blob: fields[2])
    }
    return order.map { latest[$0]! }
  }
}
