public import FairflowCore
internal import FairflowBase
internal import FairflowStore
internal import Synchronization

extension CacheTransfer {
  /// Downloads what the local cache lacks to restore `entries`: their objects (directory
  /// manifests first, then the files they list) and their run-cache entries. Every object is
  /// verified by SHA-256 before it enters the store; a corrupt one is refused and named. The
  /// store is synced once before run-cache entries that name the new objects are written.
  /// Checking the outputs out into the workspace is the caller's (``Checkout``).
  public func pull(
    _ entries: [LockEntry], skipping: Set<String> = [], skippingRunEntries: Bool = false
  ) async throws -> TransferReport {
    let started = MonotonicClock.now()
    var report = TransferReport(direction: .pull, remote: remote.name)
    let outputs = Self.outputs(entries, skipping: skipping)
    var counted = Set<Digest>()
    var wanted: [Item] = []
    var directories: [(label: String, record: PathRecord)] = []
    func want(_ digest: Digest, _ label: String) {
      guard counted.insert(digest).inserted else { return }
      if !store.contains(digest) { wanted.append(Item(digest: digest, label: label)) }
    }
    for (entry, record) in outputs {
      let label = Self.label(entry, record.path)
      want(record.digest, label)
      if record.kind == .directory { directories.append((label, record)) }
    }
    let tally = Tally()
    var failures = await receive(wanted, tally: tally, report: &report)
    // The files of directory outputs, now that their manifests are here.
    let firstPhase = wanted.count
    for (label, record) in directories where store.contains(record.digest) {
      guard let manifest = try? store.manifest(record.digest) else {
        report.failures.append(
          "\(label): the directory manifest \(record.digest.short)… is unreadable")
        continue
      }
      for file in manifest.entries { want(file.digest, label + "/" + file.path) }
    }
    let files = wanted[firstPhase...].filter { item in !store.contains(item.digest) }
    failures += await receive(files, tally: tally, report: &report)
    try Task.checkCancellation()
    let values = tally.values
    report.objects = counted.count
    (report.transferred, report.bytes) = (values.count, values.bytes)
    report.present = counted.count - values.count - report.unavailable.count - failures.count
    report.failures += Self.messages(failures)
    syncLocalStore()
    if !skippingRunEntries { try await pullRunEntries(entries, into: &report) }
    report.seconds = MonotonicClock.now() - started
    return report
  }

  /// Downloads `items` (verified); those the remote does not have go to `report.unavailable`.
  private func receive(
    _ items: [Item], tally: Tally, report: inout TransferReport
  ) async -> [(index: Int, error: any Error)] {
    let missing = MissingList()
    let failures = await each(items) { [self] item in
      if let bytes = try await receive(item) {
        tally.transferred(bytes)
      } else {
        missing.add(
          item.label + " (object \(item.digest.short)… is not on remote '\(remote.name)')")
      }
    }
    report.unavailable += missing.values
    return failures
  }

  /// One verified download; nil when the remote does not have it. A transfer that breaks off
  /// after making progress resumes from where it stopped, up to `remote.attempts` times.
  func receive(_ item: Item) async throws -> Int? {
    let key = RemoteKey.object(item.digest)
    let sink = try ObjectSink(digest: item.digest, directory: partialDirectory)
    var attempt = 1
    while true {
      let before = sink.count
      do {
        guard try await remote.storage.download(key, into: sink) else {
          sink.discard()
          return nil
        }
        return try sink.finish(into: store, remote: remote.name, key: key, label: item.label)
      } catch let error as RemoteError {
        throw error
      } catch is CancellationError {
        throw CancellationError()
      } catch {
        guard sink.count > before, attempt < remote.attempts else { throw error }
        attempt += 1
      }
    }
  }

  /// Fetches the run-cache entries of `entries` that the local cache lacks, once their objects
  /// are all here. An entry is checked before it is kept: its fingerprint, its paths (inside the
  /// workspace, outside `cache/`) and its digests.
  private func pullRunEntries(_ entries: [LockEntry], into report: inout TransferReport)
    async throws
  {
    let fingerprints = Array(Set(entries.map(\.fingerprint))).sorted()
    let tally = Tally()
    let (remote, runCache, store) = (self.remote, self.runCache, self.store)
    let failures = await each(fingerprints) { fingerprint in
      if FileIO.exists(runCache.path(of: fingerprint)) {
        tally.alreadyThere()
        return
      }
      let key = RemoteKey.run(fingerprint)
      guard let bytes = try await remote.storage.get(key, limit: 16 << 20) else { return }
      let text = String(decoding: bytes, as: UTF8.self)
      guard let entry = RunCache.decode(text, fingerprint: fingerprint, file: key),
        entry.outs.allSatisfy({ Self.isSafe($0.path) })
      else {
        throw RemoteError(
          "remote '\(remote.name)': the run-cache entry \(key) is malformed or names a path "
            + "outside the workspace; it was refused")
      }
      guard entry.outs.allSatisfy(store.canRestore) else { return }
      try runCache.record(entry)
      tally.transferred(bytes.count)
    }
    try Task.checkCancellation()
    let values = tally.values
    report.runEntriesTransferred = values.count
    report.runEntriesPresent = values.present
    report.failures += Self.messages(failures)
  }

  /// A workspace-relative path that stays inside the workspace and out of `cache/`.
  package static func isSafe(_ path: String) -> Bool {
    guard case .success(let normalized) = WorkspacePath.normalize(path), normalized == path else {
      return false
    }
    return !CacheLayout.contains(relative: path) && path != CacheLayout.directoryName
  }
}

/// Labels collected by concurrent transfers.
final class MissingList: Sendable {
  private let list = Mutex<[String]>([])
  func add(_ label: String) { list.withLock { $0.append(label) } }
  var values: [String] { list.withLock { $0 }.sorted() }
}
