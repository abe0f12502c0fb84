public import FairflowCore
internal import FairflowBase
internal import FairflowStore

extension CacheTransfer {
  /// Uploads the objects and run-cache entries behind `entries` that the remote lacks. An object
  /// of the wrong size on the remote (a partial copy some other tool left) is replaced. Run-cache
  /// entries go last, and only when every object went, so the remote never names what it lacks.
  public func push(_ entries: [LockEntry], skipping: Set<String> = []) async throws
    -> TransferReport
  {
    let started = MonotonicClock.now()
    var report = TransferReport(direction: .push, remote: remote.name)
    var seen = Set<Digest>()
    var sources: [ObjectSource] = []
    func add(_ digest: Digest, label: String) -> Bool {
      guard store.contains(digest) else { return false }
      if seen.insert(digest).inserted {
        let path = store.path(of: digest)
        let size = (try? FileIO.stat(path))??.size ?? 0
        sources.append(ObjectSource(path: path, digest: digest, size: size, label: label))
      }
      return true
    }
    for (entry, record) in Self.outputs(entries, skipping: skipping) {
      let label = Self.label(entry, record.path)
      guard add(record.digest, label: label) else {
        report.unavailable.append(label + " (not in this workspace's cache)")
        continue
      }
      guard record.kind == .directory else { continue }
      let manifest = try store.manifest(record.digest)
      for file in manifest.entries
      where !add(file.digest, label: label + "/" + file.path) {
        report.unavailable.append(label + "/" + file.path + " (not in this workspace's cache)")
      }
    }
    report.objects = sources.count
    let tally = Tally()
    let remote = self.remote
    let failures = await each(sources) { source in
      let key = RemoteKey.object(source.digest)
      if try await remote.storage.size(of: key) == source.size {
        tally.alreadyThere()
        return
      }
      try await remote.storage.upload(source, to: key)
      tally.transferred(source.size)
    }
    try Task.checkCancellation()
    (report.transferred, report.bytes, report.present) = tally.values
    report.failures = Self.messages(failures)
    if failures.isEmpty {
      try await remote.storage.flush()
      try await pushRunEntries(entries, into: &report)
    }
    report.seconds = MonotonicClock.now() - started
    return report
  }

  private func pushRunEntries(_ entries: [LockEntry], into report: inout TransferReport)
    async throws
  {
    let (remote, runCache) = (self.remote, self.runCache)
    let fingerprints = Array(Set(entries.map(\.fingerprint))).sorted()
      .filter { FileIO.exists(runCache.path(of: $0)) }
    let tally = Tally()
    let failures = await each(fingerprints) { fingerprint in
      let key = RemoteKey.run(fingerprint)
      if try await remote.storage.size(of: key) != nil {
        tally.alreadyThere()
        return
      }
      let bytes = try FileIO.read(runCache.path(of: fingerprint))
      try await remote.storage.put(bytes, to: key)
      tally.transferred(bytes.count)
    }
    try Task.checkCancellation()
    let values = tally.values
    report.runEntriesTransferred = values.count
    report.runEntriesPresent = values.present
    report.failures += Self.messages(failures)
    if failures.isEmpty { try await remote.storage.flush() }
  }
}
