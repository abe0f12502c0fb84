public import FairflowBase
public import FairflowCore

/// Fingerprint → outputs it produced: identical work anywhere (any branch, any time) is
/// restored instead of rerun.
///
/// One file per fingerprint, `cache/runs/ab/<fingerprint>`, canonical JSON:
/// `{"fingerprint":…,"hash":"sha256","outs":[{"digest":…,"path":…,"size":…,"type":"file"}],
///   "run":…,"schema":1,"stage":…}`. Written atomically after every object it names is durable.
/// Stages that cannot be keyed (uncached or persistent outputs, always_run) are never entered.
public struct RunCache: Sendable {
  public struct Entry: Sendable, Equatable {
    public var fingerprint: Digest
    public var stage: String
    public var run: String
    public var outs: [PathRecord]

    public init(fingerprint: Digest, stage: String, run: String, outs: [PathRecord]) {
      self.fingerprint = fingerprint
      self.stage = stage
      self.run = run
      self.outs = outs
    }
  }

  public let directory: String

  public init(workspace root: String) { directory = CacheLayout(workspace: root).runs }

  public func path(of fingerprint: Digest) -> String {
    "\(directory)/\(fingerprint.hex.prefix(2))/\(fingerprint.hex)"
  }

  public func entry(for fingerprint: Digest) -> Entry? {
    let file = path(of: fingerprint)
    guard FileIO.exists(file), let text = try? FileIO.readText(file) else { return nil }
    return Self.decode(text, fingerprint: fingerprint, file: file)
  }

  /// Parses an entry's text; nil unless it is a whole entry for `fingerprint`.
  public static func decode(_ text: String, fingerprint: Digest, file: String) -> Entry? {
    guard let value = try? ValueParser.parse(text, file: file), value["schema"] == .int(1),
      value["fingerprint"]?.stringValue == fingerprint.hex, let list = value["outs"]?.listValue
    else { return nil }
    var outs: [PathRecord] = []
    for item in list {
      guard let path = item["path"]?.stringValue, let hex = item["digest"]?.stringValue,
        let digest = Digest(hex: hex),
        let size = item["size"]?.intValue,
        let kind = item["type"]?.stringValue.flatMap(PathRecord.Kind.init(rawValue:))
      else { return nil }
      outs.append(
        PathRecord(
          path: path, digest: digest, size: size, kind: kind, files: item["files"]?.intValue))
    }
    return Entry(
      fingerprint: fingerprint, stage: value["stage"]?.stringValue ?? "",
      run: value["run"]?.stringValue ?? "", outs: outs)
  }

  public func record(_ entry: Entry) throws(StoreError) {
    let outs = entry.outs.sorted { $0.path < $1.path }.map { record -> Value in
      var fields: [(key: String, value: Value)] = [
        ("digest", .string(record.digest.hex)), ("path", .string(record.path)),
        ("size", .int(record.size)),
        ("type", .string(record.kind.rawValue)),
      ]
      if let files = record.files { fields.append(("files", .int(files))) }
      return .map(fields)
    }
    let value = Value.map([
      ("fingerprint", .string(entry.fingerprint.hex)), ("hash", .string("sha256")),
      ("outs", .list(outs)),
      ("run", .string(entry.run)), ("schema", .int(1)), ("stage", .string(entry.stage)),
    ])
    // Not synced: the objects it names already are (so an entry that survives a power failure
    // is whole and restorable); an entry lost or left empty by one only costs a rerun, since
    // `entry(for:)` and verify ignore what does not parse. Two fsyncs per stage were the
    // largest part of a small stage's cost.
    try FileIO.writeAtomically(
      Array((value.canonicalText + "\n").utf8), to: path(of: entry.fingerprint), durable: false)
  }

  /// Every entry on disk (for verify and gc).
  public func allEntries() throws(StoreError) -> [Entry] {
    guard FileIO.exists(directory) else { return [] }
    var result: [Entry] = []
    for prefix in try FileIO.list(directory) {
      for name in try FileIO.list(directory + "/" + prefix) {
        if let digest = Digest(hex: name), let entry = entry(for: digest) { result.append(entry) }
      }
    }
    return result
  }
}
