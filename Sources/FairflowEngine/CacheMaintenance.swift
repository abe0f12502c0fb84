public import FairflowCore
internal import FairflowStore

/// `fairflow cache verify` and `fairflow cache gc`.
public enum CacheMaintenance {
  public struct VerifyReport: Sendable {
    public var objects = 0
    public var corrupt: [String] = []
    public var missing: [String] = []
    public var runEntries = 0
    public var isClean: Bool { corrupt.isEmpty && missing.isEmpty }

    public func text() -> String {
      var out = "checked \(objects) objects and \(runEntries) run-cache entries\n"
      for item in corrupt { out += "corrupt: \(item)\n" }
      for item in missing { out += "missing: \(item)\n" }
      out +=
        isClean
        ? "cache is consistent\n" : "cache has \(corrupt.count + missing.count) problem(s)\n"
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
    return report
  }

  /// Objects referenced by every lock file of the workspace (kept by gc).
  public static func referenced(_ workspace: Workspace) throws -> Set<Digest> {
    let store = ObjectStore(workspace: workspace.root)
    var keep = Set<Digest>()
    for name in workspace.availablePipelines() {
      let path = workspace.lockFile(for: "\(workspace.root)/pipelines/\(name).yaml")
      guard FileIO.exists(path) else { continue }
      let lock = try LockFile.decode(try FileIO.readText(path), file: workspace.display(path))
      for entry in lock.entries.values {
        for record in entry.outs {
          keep.insert(record.digest)
          if record.kind == .directory, let manifest = try? store.manifest(record.digest) {
            keep.formUnion(manifest.entries.map(\.digest))
          }
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
