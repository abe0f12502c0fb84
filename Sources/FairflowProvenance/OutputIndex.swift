internal import FairflowGit
internal import FairflowStore

/// Which records list an output with a given SHA-256: the lookup behind `prov trace` and origin
/// propagation. Derived, never authoritative: rebuilt from each run's `runs/<run>/outputs.tsv`
/// (one line per output: `sha256 TAB record-file TAB path TAB flags`) and cached in
/// `cache/state/provenance-index`, keyed by the provenance tip so an unchanged tip costs one
/// file read. Runs whose `outputs.tsv` blob changed since (a run still recording) are re-read.
public struct OutputIndex: Sendable {
  /// A record listing an output with a digest.
  public struct Producer: Sendable, Hashable, Comparable {
    public var run: String
    public var file: String
    public var path: String
    /// The output carries an origin (DOI/URL).
    public var hasOrigin: Bool

    public static func < (a: Producer, b: Producer) -> Bool {
      (a.run, a.file, a.path) < (b.run, b.file, b.path)
    }
  }

  public private(set) var producers: [String: [Producer]] = [:]
  /// Run id → blob id of the `outputs.tsv` indexed.
  var runs: [String: String] = [:]
  var tip = ""

  static let header = "fairflow-provenance-index 1"

  /// The lines of a run's `outputs.tsv`.
  public static func manifest(
    _ outputs: [(file: String, sha256: String, path: String, origin: Bool)]
  )
    -> String
  {
    outputs.map {
      "\($0.sha256)\t\(escape($0.file))\t\(escape($0.path))\t\($0.origin ? "o" : "-")\n"
    }
    .joined()
  }

  static func escape(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars {
      switch c {
      case "%": out += "%25"
      case "\t": out += "%09"
      case "\n": out += "%0A"
      case "\r": out += "%0D"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  static func unescape(_ text: Substring) -> String {
    guard text.contains("%") else { return String(text) }
    return String(text).replacing("%0D", with: "\r").replacing("%0A", with: "\n")
      .replacing("%09", with: "\t").replacing("%25", with: "%")
  }

  mutating func add(run: String, manifest text: String) {
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
      guard parts.count == 4, parts[0].count == 64 else { continue }
      producers[String(parts[0]), default: []].append(
        Producer(
          run: run, file: OutputIndex.unescape(parts[1]), path: OutputIndex.unescape(parts[2]),
          hasOrigin: parts[3] == "o"))
    }
  }

  /// The index for `store`'s current tip, from the cache file when it matches.
  static func load(store: ProvenanceStore, cacheFile: String?) throws -> OutputIndex {
    guard let tip = try store.tip() else { return OutputIndex() }
    var cached = cacheFile.flatMap { try? FileIO.readText($0) }.map(decode) ?? OutputIndex()
    if cached.tip == tip.hex { return cached }
    let root = try store.repository.commit(tip).tree
    var current: [String: String] = [:]
    if let runs = try store.repository.treeEntry(root, path: "runs"), runs.isTree {
      for run in try store.repository.treeEntries(runs.id) where run.isTree {
        if let manifest = try store.repository.treeEntry(run.id, path: "outputs.tsv") {
          current[run.name] = manifest.id.hex
        }
      }
    }
    var index = OutputIndex()
    let unchanged = cached.runs.filter { current[$0.key] == $0.value }
    for (hex, list) in cached.producers {
      let kept = list.filter { unchanged[$0.run] != nil }
      if !kept.isEmpty { index.producers[hex] = kept }
    }
    index.runs = unchanged
    for (run, blob) in current.sorted(by: { $0.key < $1.key }) where unchanged[run] == nil {
      guard let id = ObjectID(hex: blob) else { continue }
      index.add(
        run: run, manifest: String(decoding: try store.repository.readBlob(id), as: UTF8.self))
      index.runs[run] = blob
    }
    for key in index.producers.keys { index.producers[key]?.sort() }
    index.tip = tip.hex
    if let cacheFile {
      try? FileIO.makeDirectories(FileIO.parent(of: cacheFile))
      try? FileIO.writeAtomically(index.encoded(), to: cacheFile)
    }
    cached = index
    return cached
  }

  func encoded() -> String {
    var out = OutputIndex.header + "\ntip \(tip)\n"
    for (run, blob) in runs.sorted(by: { $0.key < $1.key }) { out += "run \(run) \(blob)\n" }
    for (hex, list) in producers.sorted(by: { $0.key < $1.key }) {
      for p in list {
        out +=
          "\(hex)\t\(p.run)\t\(OutputIndex.escape(p.file))\t\(OutputIndex.escape(p.path))\t\(p.hasOrigin ? "o" : "-")\n"
      }
    }
    return out
  }

  static func decode(_ text: String) -> OutputIndex {
    var index = OutputIndex()
    var lines = text.split(separator: "\n")[...]
    guard lines.first == Substring(header) else { return index }
    lines = lines.dropFirst()
    for line in lines {
      if line.hasPrefix("tip ") {
        index.tip = String(line.dropFirst(4))
      } else if line.hasPrefix("run ") {
        let parts = line.split(separator: " ")
        if parts.count == 3 { index.runs[String(parts[1])] = String(parts[2]) }
      } else {
        let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].count == 64 else { return OutputIndex() }
        index.producers[String(parts[0]), default: []].append(
          Producer(
            run: String(parts[1]), file: unescape(parts[2]), path: unescape(parts[3]),
            hasOrigin: parts[4] == "o"))
      }
    }
    return index
  }
}
