public import FairflowBase
public import FairflowCore
public import FairflowEngine
internal import FairflowStore

/// `run --pull`'s source: fetches, stage by stage, what the runner needs to restore instead of
/// execute. Everything received is verified like `pull`; what cannot be fetched becomes a note
/// and the stage runs.
public struct RemoteRunCache: RemoteCacheSource {
  let transfer: CacheTransfer

  public init(transfer: CacheTransfer) { self.transfer = transfer }

  public func fetchObjects(_ records: [PathRecord], stage: String) async -> [String] {
    let entry = LockEntry(
      stage: stage, fingerprint: Digest.of(stage), command: "", params: [], env: [], deps: [],
      outs: records, run: "")
    do {
      let report = try await transfer.pull([entry], skippingRunEntries: true)
      return notes(report, stage: stage)
    } catch {
      return ["\(stage): not fetched from remote '\(transfer.remote.name)': \(error)"]
    }
  }

  public func fetchRunEntry(_ fingerprint: Digest, stage: String) async -> [String] {
    let key = RemoteKey.run(fingerprint)
    do {
      guard let bytes = try await transfer.remote.storage.get(key, limit: 16 << 20) else {
        return []
      }
      guard
        let entry = RunCache.decode(
          String(decoding: bytes, as: UTF8.self), fingerprint: fingerprint, file: key),
        entry.outs.allSatisfy({ CacheTransfer.isSafe($0.path) })
      else {
        return [
          "\(stage): remote '\(transfer.remote.name)' has a malformed run-cache entry \(key); ignored"
        ]
      }
      let lockEntry = LockEntry(
        stage: stage, fingerprint: fingerprint, command: "", params: [], env: [], deps: [],
        outs: entry.outs, run: entry.run)
      let report = try await transfer.pull([lockEntry], skippingRunEntries: true)
      guard report.failures.isEmpty, entry.outs.allSatisfy(transfer.store.canRestore) else {
        return notes(report, stage: stage)
      }
      try transfer.runCache.record(entry)
      return []
    } catch {
      return ["\(stage): not fetched from remote '\(transfer.remote.name)': \(error)"]
    }
  }

  private func notes(_ report: TransferReport, stage: String) -> [String] {
    (report.failures + report.unavailable).map {
      "pull from '\(transfer.remote.name)': \($0); \(stage) runs instead"
    }
  }
}
