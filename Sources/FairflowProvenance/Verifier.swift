public import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowGit
internal import FairflowStore

/// `prov verify`: recomputes digests and compares them with the records.
///
/// - Workspace: for every output path, the newest record (executed or restored) that lists it
///   states what fairflow last put there; the file must exist with that digest.
/// - Store: every recorded output digest whose object is in `cache/objects` must hash to its name
///   (objects removed by `cache gc` are fine: they are counted, not flagged).
/// - Records: every record must decode (git itself checks object hashes on read).
/// - History: every record this workspace committed (``ProvenanceJournal``) must still be in the
///   tip with the same blob id; a changed or vanished record means the history was rewritten.
/// - Lock files: an entry whose producing run has a record for that stage must agree with it
///   (fingerprint and outputs); entries of runs without provenance are counted, not judged.
public struct Verifier {
  let store: ProvenanceStore
  let root: String

  public init(store: ProvenanceStore, workspace root: String) {
    self.store = store
    self.root = root
  }

  public struct Report: Sendable {
    public var runs = 0
    public var records = 0
    public var checkedFiles = 0
    public var checkedObjects = 0
    public var objectsNotInStore = 0
    public var missing: [(path: String, run: String, stage: String)] = []
    public var modified: [(path: String, expected: String, actual: String, run: String)] = []
    public var corruptObjects: [(digest: String, path: String)] = []
    public var unreadableRecords: [String] = []
    public var journaledRecords = 0
    public var rewritten: [(run: String, file: String, detail: String)] = []
    public var lockEntries = 0
    public var lockEntriesWithoutRecord = 0
    public var lockMismatches: [String] = []

    public var isClean: Bool {
      missing.isEmpty && modified.isEmpty && corruptObjects.isEmpty && unreadableRecords.isEmpty
        && rewritten.isEmpty && lockMismatches.isEmpty
    }

    public func text() -> String {
      var out = ""
      for m in missing { out += "missing   \(m.path)  (recorded by \(m.stage) in run \(m.run))\n" }
      for m in modified {
        out +=
          "modified  \(m.path)  sha256 \(m.actual.prefix(16))… but run \(m.run) recorded \(m.expected.prefix(16))…\n"
      }
      for c in corruptObjects {
        out +=
          "corrupt   cache/objects object \(c.digest.prefix(16))… (of \(c.path)) no longer matches its digest\n"
      }
      for r in unreadableRecords { out += "unreadable record \(r)\n" }
      for r in rewritten { out += "rewritten runs/\(r.run)/\(r.file): \(r.detail)\n" }
      for m in lockMismatches { out += "lock      \(m)\n" }
      out +=
        "\(runs) runs, \(records) records: \(checkedFiles) workspace outputs and \(checkedObjects) stored objects checked"
      if objectsNotInStore > 0 { out += " (\(objectsNotInStore) objects no longer in the store)" }
      out += "; \(journaledRecords) committed records and \(lockEntries) lock entries compared"
      out +=
        isClean ? "; all match.\n" : "; \(problemCount) problem\(problemCount == 1 ? "" : "s").\n"
      return out
    }

    public var problemCount: Int {
      missing.count + modified.count + corruptObjects.count + unreadableRecords.count
        + rewritten.count + lockMismatches.count
    }

    public var value: Value {
      .map([
        ("schema", .int(1)), ("clean", .bool(isClean)), ("runs", .int(runs)),
        ("records", .int(records)), ("checked_files", .int(checkedFiles)),
        ("checked_objects", .int(checkedObjects)),
        ("objects_not_in_store", .int(objectsNotInStore)),
        (
          "missing",
          .list(
            missing.map {
              .map([
                ("path", .string($0.path)), ("run", .string($0.run)), ("stage", .string($0.stage)),
              ])
            })
        ),
        (
          "modified",
          .list(
            modified.map {
              .map([
                ("path", .string($0.path)), ("expected_sha256", .string($0.expected)),
                ("actual_sha256", .string($0.actual)), ("run", .string($0.run)),
              ])
            })
        ),
        (
          "corrupt_objects",
          .list(
            corruptObjects.map {
              .map([("sha256", .string($0.digest)), ("path", .string($0.path))])
            })
        ),
        ("unreadable_records", .list(unreadableRecords.map(Value.string))),
        ("journaled_records", .int(journaledRecords)),
        (
          "rewritten",
          .list(
            rewritten.map {
              .map([
                ("run", .string($0.run)), ("file", .string($0.file)),
                ("detail", .string($0.detail)),
              ])
            })
        ),
        ("lock_entries", .int(lockEntries)),
        ("lock_entries_without_record", .int(lockEntriesWithoutRecord)),
        ("lock_mismatches", .list(lockMismatches.map(Value.string))),
      ])
    }
  }

  public func verify() throws -> Report {
    var report = Report()
    var latest: [String: (artifact: ProvenanceRecord.Artifact, record: ProvenanceRecord)] = [:]
    var digests: [String: ProvenanceRecord.Artifact] = [:]
    let runs = try store.runIDs()
    report.runs = runs.count
    for run in runs {
      let records: [ProvenanceRecord]
      do { records = try store.records(run: run) } catch {
        report.unreadableRecords.append("\(run): \(error)")
        continue
      }
      for record in records {
        report.records += 1
        guard record.outcome != .failed else { continue }
        for output in record.outputs {
          // Runs sort by time, so a later run's record replaces an earlier one's.
          latest[output.path] = (output, record)
          digests[output.sha256] = output
        }
      }
    }
    // Re-hash without the stat cache: verification must not trust cached digests.
    let observer = Observer(root: root, statCache: StatCache(file: ""))
    for path in latest.keys.sorted() {
      let (artifact, record) = latest[path]!
      report.checkedFiles += 1
      guard let current = try observer.observe(path) else {
        report.missing.append((path, record.run, record.stage))
        continue
      }
      if current.digest.hex != artifact.sha256 {
        report.modified.append((path, artifact.sha256, current.digest.hex, record.run))
      }
    }
    let objects = ObjectStore(workspace: root)
    for (hex, artifact) in digests.sorted(by: { $0.key < $1.key }) {
      guard let digest = Digest(hex: hex) else { continue }
      guard objects.contains(digest) else {
        report.objectsNotInStore += 1
        continue
      }
      report.checkedObjects += 1
      if artifact.isDirectory {
        // A directory object is its manifest: its text must hash to the digest, and each file
        // object it names is checked like any other.
        guard let manifest = try? objects.manifest(digest), manifest.digest == digest else {
          report.corruptObjects.append((hex, artifact.path))
          continue
        }
        for entry in manifest.entries where objects.contains(entry.digest) {
          let (actual, _) = try FileHasher.hash(objects.path(of: entry.digest))
          if actual != entry.digest {
            report.corruptObjects.append((entry.digest.hex, artifact.path + "/" + entry.path))
          }
        }
      } else {
        let (actual, _) = try FileHasher.hash(objects.path(of: digest))
        if actual != digest { report.corruptObjects.append((hex, artifact.path)) }
      }
    }
    try checkHistory(&report)
    checkLockFiles(&report)
    return report
  }

  /// Every journaled record must be in the tip with the blob id it was committed with.
  func checkHistory(_ report: inout Report) throws {
    let journal = ProvenanceJournal(workspace: root).entries()
    report.journaledRecords = journal.count
    guard !journal.isEmpty else { return }
    guard let tip = try store.tip() else {
      report.rewritten.append(
        ("*", "*", "refs/fairflow/provenance is gone but \(journal.count) records were committed"))
      return
    }
    let tree = try store.repository.commit(tip).tree
    for entry in journal {
      let found = try store.repository.treeEntry(tree, path: "runs/\(entry.run)/\(entry.file)")
      if let found, !found.isTree {
        if found.id.hex != entry.blob {
          report.rewritten.append(
            (
              entry.run, entry.file,
              "blob \(found.id.hex.prefix(12))… but this workspace committed \(entry.blob.prefix(12))…"
            ))
        }
      } else {
        report.rewritten.append(
          (entry.run, entry.file, "committed by this workspace, no longer in the history"))
      }
    }
  }

  /// Lock entries against the records of the runs that produced them.
  func checkLockFiles(_ report: inout Report) {
    for (shown, decoded) in Workspace(root: root).lockFiles() {
      let lock: LockFile
      do { lock = try decoded.get() } catch {
        report.lockMismatches.append("\(shown) is unreadable: \(error)")
        continue
      }
      for entry in lock.entries.values.sorted(by: { $0.stage < $1.stage }) {
        report.lockEntries += 1
        let file = ProvenanceStore.fileName(stage: entry.stage)
        guard let record = try? store.record(run: entry.run, file: file),
          record.outcome != .failed
        else {
          report.lockEntriesWithoutRecord += 1
          continue
        }
        var problems: [String] = []
        if let fingerprint = record.fingerprint, fingerprint != entry.fingerprint.hex {
          problems.append(
            "fingerprint \(entry.fingerprint.hex.prefix(12))… (record: \(fingerprint.prefix(12))…)")
        }
        let recorded = Dictionary(
          record.outputs.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        for out in entry.outs where recorded[out.path] != out.digest.hex {
          problems.append(
            "\(out.path) sha256 \(out.digest.hex.prefix(12))… (record: \(recorded[out.path].map { String($0.prefix(12)) + "…" } ?? "none"))"
          )
        }
        if entry.outs.count != record.outputs.count {
          problems.append("\(entry.outs.count) outputs (record: \(record.outputs.count))")
        }
        if !problems.isEmpty {
          report.lockMismatches.append(
            "\(shown): stage '\(entry.stage)' disagrees with run \(entry.run)'s record: "
              + problems.joined(separator: ", "))
        }
      }
    }
  }
}
