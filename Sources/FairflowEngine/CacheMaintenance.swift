public import FairflowBase
internal import FairflowCore
internal import FairflowStore

/// `fairflow cache verify` and `fairflow cache gc`.
public enum CacheMaintenance {
  public struct VerifyReport: Sendable {
    public var objects = 0
    public var corrupt: [String] = []
    public var missing: [String] = []
    public var runEntries = 0
    public var lockEntries = 0
    /// Lock files that do not parse, or entries that contradict the run cache.
    public var lockProblems: [String] = []
    public var isClean: Bool { corrupt.isEmpty && missing.isEmpty && lockProblems.isEmpty }

    public func text() -> String {
      var out =
        "checked \(objects) objects, \(runEntries) run-cache entries and \(lockEntries) lock entries\n"
      for item in corrupt { out += "corrupt: \(item)\n" }
      for item in missing { out += "missing: \(item)\n" }
      for item in lockProblems { out += "lock: \(item)\n" }
      let problems = corrupt.count + missing.count + lockProblems.count
      out += isClean ? "cache is consistent\n" : "cache has \(problems) problem(s)\n"
      return out
    }
  }

  /// Re-hashes every object, checks manifests and that every run-cache and lock entry's objects exist.
  public static func verify(_ workspace: Workspace) throws -> VerifyReport {
    let store = ObjectStore(workspace: workspace.root)
    var report = VerifyReport()
    let digests = try store.allObjects()
    report.objects = digests.count
    let hashes = try FileHasher.hash(digests.map(store.path(of:)))
    var present = Set<Digest>()
    for (digest, result) in zip(digests, hashes) {
      if result.digest == digest {
        present.insert(digest)
      } else {
        report.corrupt.append("object \(digest.hex) has content \(result.digest.hex)")
      }
    }
    func check(_ record: PathRecord, owner: String) {
      guard present.contains(record.digest) else {
        report.missing.append("\(owner): object \(record.digest.hex) of '\(record.path)'")
        return
      }
      if record.kind == .directory {
        guard let manifest = try? store.manifest(record.digest) else {
          report.corrupt.append(
            "\(owner): manifest \(record.digest.hex) of '\(record.path)' is unreadable")
          return
        }
        for entry in manifest.entries where !present.contains(entry.digest) {
          report.missing.append(
            "\(owner): object \(entry.digest.hex) of '\(record.path)/\(entry.path)'")
        }
      }
    }
    let entries = try RunCache(workspace: workspace.root).allEntries()
    report.runEntries = entries.count
    for entry in entries {
      for record in entry.outs { check(record, owner: "run cache \(entry.fingerprint.short)") }
    }
    let byFingerprint = Dictionary(
      entries.map { ($0.fingerprint, $0) }, uniquingKeysWith: { a, _ in a })
    for (record, owner) in checkLockFiles(workspace, byFingerprint, &report) {
      check(record, owner: owner)
    }
    return report
  }

  /// Every lock file must parse, and an entry whose fingerprint has a run-cache entry (every
  /// restorable stage) must name the same run and outputs: the two are written by the same run,
  /// so a difference means one was edited. Returns the records whose objects must be present.
  static func checkLockFiles(
    _ workspace: Workspace, _ runs: [Digest: RunCache.Entry], _ report: inout VerifyReport
  ) -> [(PathRecord, String)] {
    var toCheck: [(PathRecord, String)] = []
    for (shown, decoded) in workspace.lockFiles() {
      let lock: LockFile
      do { lock = try decoded.get() } catch {
        report.lockProblems.append("\(shown) is unreadable: \(error)")
        continue
      }
      for entry in lock.entries.values.sorted(by: { $0.stage < $1.stage }) {
        report.lockEntries += 1
        guard let run = runs[entry.fingerprint] else { continue }
        if run.outs != entry.outs || run.run != entry.run || run.stage != entry.stage {
          report.lockProblems.append(
            "\(shown): stage '\(entry.stage)' (run \(entry.run)) disagrees with run-cache entry "
              + "\(entry.fingerprint.short) (stage '\(run.stage)', run \(run.run)): "
              + Self.difference(entry.outs, run.outs))
        } else {
          toCheck += entry.outs.map { ($0, "\(shown) stage '\(entry.stage)'") }
        }
      }
    }
    return toCheck
  }

  static func difference(_ lock: [PathRecord], _ cache: [PathRecord]) -> String {
    let cached = Dictionary(cache.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    var parts: [String] = []
    for record in lock where cached[record.path] != record {
      parts.append(
        "'\(record.path)' \(record.digest.short) vs \(cached[record.path]?.digest.short ?? "absent")"
      )
    }
    if lock.count != cache.count { parts.append("\(lock.count) vs \(cache.count) outputs") }
    return parts.isEmpty ? "the run differs" : parts.joined(separator: ", ")
  }

  /// Objects referenced by every lock file of the workspace, and by lock entries that killed
  /// runs journaled (kept by gc).
  public static func referenced(_ workspace: Workspace) throws -> Set<Digest> {
    let store = ObjectStore(workspace: workspace.root)
    var keep = Set<Digest>()
    var entries: [LockEntry] = []
    for (_, decoded) in workspace.lockFiles() { entries += try decoded.get().entries.values }
    // Entries a killed run journaled but no run has merged into its lock file yet.
    entries += StageClaims.journaledEntries(workspace: workspace.root)
    for entry in entries {
      for record in entry.outs {
        keep.insert(record.digest)
        if record.kind == .directory, let manifest = try? store.manifest(record.digest) {
          keep.formUnion(manifest.entries.map(\.digest))
        }
      }
    }
    return keep
  }

  /// Removes objects no lock file references and run-cache entries that point at them.
  public static func collectGarbage(_ workspace: Workspace, dryRun: Bool) throws -> (
    objects: Int, bytes: Int, runEntries: Int
  ) {
    let store = ObjectStore(workspace: workspace.root)
    let keep = try referenced(workspace)
    var removed = 0, bytes = 0, entries = 0
    for digest in try store.allObjects() where !keep.contains(digest) {
      bytes += (try FileIO.stat(store.path(of: digest)))?.size ?? 0
      removed += 1
      if !dryRun { try FileIO.remove(store.path(of: digest)) }
    }
    let runCache = RunCache(workspace: workspace.root)
    for entry in try runCache.allEntries()
    where !entry.outs.allSatisfy({ keep.contains($0.digest) }) {
      entries += 1
      if !dryRun { try FileIO.remove(runCache.path(of: entry.fingerprint)) }
    }
    if !dryRun { store.cleanTemporaries() }
    return (removed, bytes, entries)
  }
}
