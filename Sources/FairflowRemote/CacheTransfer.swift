public import FairflowCore
public import FairflowStore
internal import FairflowBase
internal import Synchronization

/// Moves the objects and run-cache entries behind lock entries between the local cache and a
/// remote: content-addressed (what the other side has is skipped), `remote.jobs` at a time,
/// objects before the run-cache entries that name them, every received byte verified before it
/// enters the store. Interrupted transfers resume: a push skips what arrived, a pull continues a
/// partial download from where it stopped.
public struct CacheTransfer: Sendable {
  public let remote: Remote
  public let store: ObjectStore
  public let runCache: RunCache
  let layout: CacheLayout

  public init(remote: Remote, workspace: String) {
    self.remote = remote
    self.store = ObjectStore(workspace: workspace)
    self.runCache = RunCache(workspace: workspace)
    self.layout = CacheLayout(workspace: workspace)
  }

  /// Where downloads wait to be verified.
  var partialDirectory: String { layout.temporary + "/remote" }

  /// One object to move, named by what it is for in messages.
  struct Item: Sendable {
    var digest: Digest
    var label: String
  }

  /// Counters shared by concurrent transfers.
  final class Tally: Sendable {
    private let state = Mutex<(count: Int, bytes: Int, present: Int)>((0, 0, 0))
    func transferred(_ bytes: Int) {
      state.withLock {
        $0.count += 1; $0.bytes += bytes
      }
    }
    func alreadyThere() { state.withLock { $0.present += 1 } }
    var values: (count: Int, bytes: Int, present: Int) { state.withLock { $0 } }
  }

  /// `stage: path` for an output, `stage: path/file` for a file of a directory output.
  static func label(_ entry: LockEntry, _ path: String) -> String { "\(entry.stage): \(path)" }

  /// The outputs of `entries` that travel (cached ones; `skipping` names the others).
  static func outputs(
    _ entries: [LockEntry], skipping: Set<String>
  ) -> [(entry: LockEntry, record: PathRecord)] {
    entries.flatMap { entry in
      entry.outs.filter { !skipping.contains($0.path) }.map { (entry, $0) }
    }
  }

  /// Messages of failures, at most `limit` spelled out.
  static func messages(_ failures: [(index: Int, error: any Error)], limit: Int = 20) -> [String] {
    var result = failures.prefix(limit).map { "\($0.error)" }
    if failures.count > limit { result.append("… and \(failures.count - limit) more") }
    return result
  }

  /// ``forEachConcurrently`` with `remote.jobs` workers, every error naming the remote.
  func each<Item: Sendable>(
    _ items: [Item], _ body: @escaping @Sendable (Item) async throws -> Void
  ) async -> [(index: Int, error: any Error)] {
    let name = remote.name
    return await forEachConcurrently(items, width: remote.jobs) { item in
      do { try await body(item) } catch { throw RemoteError.attributed(error, remote: name) }
    }
  }

  /// Syncs the file system holding the local store once, before anything names what arrived.
  func syncLocalStore() {
    FileIO.syncFileSystem(holding: store.objects)
  }
}
