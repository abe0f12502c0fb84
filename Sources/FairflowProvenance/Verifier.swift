public import FairflowCore
internal import FairflowStore
internal import FairflowEngine

/// `prov verify`: recomputes digests and compares them with the records.
///
/// - Workspace: for every output path, the newest record (executed or restored) that lists it
///   states what fairflow last put there; the file must exist with that digest.
/// - Store: every recorded output digest whose object is in `cache/objects` must hash to its name
///   (objects removed by `cache gc` are fine: they are counted, not flagged).
/// - Records: every record must decode (git itself checks object hashes on read).
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

    public var isClean: Bool {
      missing.isEmpty && modified.isEmpty && corruptObjects.isEmpty && unreadableRecords.isEmpty
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
      out +=
        "\(runs) runs, \(records) records: \(checkedFiles) workspace outputs and \(checkedObjects) stored objects checked"
      if objectsNotInStore > 0 { out += " (\(objectsNotInStore) objects no longer in the store)" }
      out +=
        isClean ? "; all match.\n" : "; \(problemCount) problem\(problemCount == 1 ? "" : "s").\n"
      return out
    }

    public var problemCount: Int {
      missing.count + modified.count + corruptObjects.count + unreadableRecords.count
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
    return report
  }
}
