public import FairflowCore
public import FairflowStore

/// Places the outputs recorded in lock entries into the workspace from the object store (what
/// `fairflow pull` does after downloading): a missing output is restored, one already equal to
/// its record is left, one that differs is left alone unless `force` (it may be someone's work).
public struct Checkout: Sendable {
  public struct Report: Sendable {
    public var restored: [String] = []
    public var inPlace = 0
    /// `stage: path (why)` for outputs left as they are.
    public var skipped: [String] = []
  }

  public let store: ObjectStore
  public let observer: Observer

  public init(workspace root: String, statCache: StatCache) {
    store = ObjectStore(workspace: root)
    observer = Observer(root: root, statCache: statCache)
  }

  public func run(
    _ entries: [LockEntry], skipping: Set<String> = [], force: Bool = false
  ) -> Report {
    var report = Report()
    for entry in entries {
      for record in entry.outs where !skipping.contains(record.path) {
        let label = "\(entry.stage): \(record.path)"
        let current: PathRecord?
        do { current = try observer.observe(record.path) } catch {
          report.skipped.append("\(label) (\(error))")
          continue
        }
        if current?.digest == record.digest {
          report.inPlace += 1
          continue
        }
        if current != nil, !force {
          report.skipped.append("\(label) (it differs from the lock file; --force replaces it)")
          continue
        }
        guard store.canRestore(record) else {
          report.skipped.append("\(label) (its objects are not in the cache)")
          continue
        }
        do {
          try store.restore(record, statCache: observer.statCache)
          report.restored.append(record.path)
        } catch {
          report.skipped.append("\(label) (\(error))")
        }
      }
    }
    return report
  }
}
