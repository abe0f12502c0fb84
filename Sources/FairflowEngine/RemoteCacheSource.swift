public import FairflowBase
public import FairflowCore
internal import FairflowStore

/// Where `run --pull` finds what the local cache lacks, stage by stage, just before the stage is
/// decided: the objects of a lock entry whose outputs are missing, or the run-cache entry (and
/// objects) of a fingerprint nobody here computed. The engine knows nothing of remotes; the
/// command line injects one (`FairflowRemote`). Failures are notes, not errors: a stage whose
/// objects cannot be fetched simply runs.
public protocol RemoteCacheSource: Sendable {
  /// Fetches the objects behind `records` that the local store lacks; returns notes.
  func fetchObjects(_ records: [PathRecord], stage: String) async -> [String]
  /// Fetches the run-cache entry of `fingerprint` and its objects; returns notes.
  func fetchRunEntry(_ fingerprint: Digest, stage: String) async -> [String]
}

extension Runner {
  /// Before stage `index` is decided: fetch from the remote what would let it be restored.
  func prefetch(_ index: Int) async {
    guard let remote = options.remote, !upToDate.contains(index) else { return }
    let stage = loaded.pipeline.stages[index]
    guard !options.force, !stage.alwaysRun,
      case .present(_, let fingerprint)? = try? inputs(stage)
    else { return }
    let cached = Set(stage.outputs.filter { $0.cache && !$0.persist }.map(\.path))
    var notes: [String] = []
    if let entry = lock.entries[stage.name], entry.fingerprint == fingerprint {
      let missing = entry.outs.filter { cached.contains($0.path) && !store.canRestore($0) }
      if !missing.isEmpty { notes = await remote.fetchObjects(missing, stage: stage.name) }
    } else if stage.isRestorable {
      if let local = runCache.entry(for: fingerprint) {
        let missing = local.outs.filter { !store.canRestore($0) }
        if !missing.isEmpty { notes = await remote.fetchObjects(missing, stage: stage.name) }
      } else {
        notes = await remote.fetchRunEntry(fingerprint, stage: stage.name)
      }
    }
    for note in notes { reporter.note(note) }
  }
}
