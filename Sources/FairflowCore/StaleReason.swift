public import FairflowBase
/// Why a stage is not up to date — one human-readable reason each, collected only when asked
/// (ninja's `-d explain`, DVC's status vocabulary). `code` is the stable token of `status --json`.
public enum StaleReason: Sendable, Equatable {
  case alwaysRun
  case neverRun
  case forced
  case commandChanged
  case paramChanged(name: String, old: Value?, new: Value?)
  case environmentChanged(name: String)
  case dependencyChanged(path: String)
  case dependencyAdded(path: String)
  case dependencyRemoved(path: String)
  case dependencyMissing(path: String)
  case upstreamStale([String])
  case outputMissing(path: String)
  case outputModified(path: String)
  case definitionChanged

  public var code: String {
    switch self {
    case .alwaysRun: return "always_run"
    case .neverRun: return "never_run"
    case .forced: return "forced"
    case .commandChanged: return "command_changed"
    case .paramChanged: return "param_changed"
    case .environmentChanged: return "env_changed"
    case .dependencyChanged: return "dependency_changed"
    case .dependencyAdded: return "dependency_added"
    case .dependencyRemoved: return "dependency_removed"
    case .dependencyMissing: return "dependency_missing"
    case .upstreamStale: return "upstream_stale"
    case .outputMissing: return "output_missing"
    case .outputModified: return "output_modified"
    case .definitionChanged: return "definition_changed"
    }
  }

  public var message: String {
    switch self {
    case .alwaysRun: return "always runs (always_run: true)"
    case .neverRun: return "never run"
    case .forced: return "forced (--force)"
    case .commandChanged: return "command changed"
    case .paramChanged(let name, let old?, let new?):
      return "param `\(name)` \(old.interpolationText)→\(new.interpolationText)"
    case .paramChanged(let name, nil, _): return "param `\(name)` newly used"
    case .paramChanged(let name, _, nil): return "param `\(name)` no longer used"
    case .environmentChanged(let name): return "environment variable `\(name)` changed"
    case .dependencyChanged(let path): return "dependency `\(path)` changed"
    case .dependencyAdded(let path): return "dependency `\(path)` added"
    case .dependencyRemoved(let path): return "dependency `\(path)` removed"
    case .dependencyMissing(let path): return "dependency `\(path)` missing"
    case .upstreamStale(let names): return "upstream stale (\(names.joined(separator: ", ")))"
    case .outputMissing(let path): return "output `\(path)` missing"
    case .outputModified(let path): return "output `\(path)` modified"
    case .definitionChanged: return "stage definition changed"
    }
  }

  /// The path or name the reason is about, for `status --json`.
  public var subject: String? {
    switch self {
    case .paramChanged(let name, _, _), .environmentChanged(let name): return name
    case .dependencyChanged(let p), .dependencyAdded(let p), .dependencyRemoved(let p),
      .dependencyMissing(let p),
      .outputMissing(let p), .outputModified(let p):
      return p
    default: return nil
    }
  }
}

/// What the engine observed about a stage in the workspace.
public struct StageObservation: Sendable {
  /// Current digest of each dependency that exists.
  public var dependencyDigests: [String: Digest]
  /// Current digest of each output that exists.
  public var outputDigests: [String: Digest]
  /// Upstream stages that are stale themselves.
  public var staleUpstream: [String]

  public init(
    dependencyDigests: [String: Digest], outputDigests: [String: Digest],
    staleUpstream: [String] = []
  ) {
    self.dependencyDigests = dependencyDigests
    self.outputDigests = outputDigests
    self.staleUpstream = staleUpstream
  }
}

/// Explains staleness: compares a stage's definition and workspace observation with its lock
/// entry, cheapest check first (definition, then dependencies, then outputs).
public enum Staleness {
  /// The fast path: same fingerprint, every output as recorded, nothing upstream stale.
  /// `reasons(for:…)` is empty exactly when this is true; it only avoids building the reasons.
  public static func isUpToDate(
    _ stage: Stage, entry: LockEntry?, dependencyDigests: [String: Digest],
    outputDigests: [String: Digest], upstreamStale: Bool
  ) -> Bool {
    guard let entry, !stage.alwaysRun, !upstreamStale, entry.outs.count == stage.outputs.count,
      entry.command == stage.recordedCommand, entry.deps.count == stage.deps.count,
      entry.deps.allSatisfy({ dependencyDigests[$0.path] == $0.digest }),
      entry.outs.allSatisfy({ outputDigests[$0.path] == $0.digest })
    else { return false }
    return Fingerprint.of(stage, dependencyDigests: dependencyDigests) == entry.fingerprint
  }

  public static func reasons(for stage: Stage, entry: LockEntry?, observed: StageObservation)
    -> [StaleReason]
  {
    var reasons: [StaleReason] = []
    if stage.alwaysRun { reasons.append(.alwaysRun) }
    guard let entry else {
      // Also say which inputs are missing: that is what will stop the first run.
      return reasons + [.neverRun]
        + stage.deps.filter {
          observed.dependencyDigests[$0] == nil && observed.staleUpstream.isEmpty
        }
        .map { .dependencyMissing(path: $0) }
    }
    if entry.command != stage.recordedCommand { reasons.append(.commandChanged) }
    let oldParams = Dictionary(
      entry.params.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    let newParams = Dictionary(
      stage.params.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    for name in Set(oldParams.keys).union(newParams.keys).sorted()
    where oldParams[name] != newParams[name] {
      reasons.append(.paramChanged(name: name, old: oldParams[name], new: newParams[name]))
    }
    let oldEnv = Dictionary(entry.env.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    for variable in stage.env
    where oldEnv[variable.name] != SecretNames.redacted && oldEnv[variable.name] != variable.value {
      reasons.append(.environmentChanged(name: variable.name))
    }
    for name in oldEnv.keys.sorted() where !stage.env.contains(where: { $0.name == name }) {
      reasons.append(.environmentChanged(name: name))
    }
    let recordedDeps = Dictionary(
      entry.deps.map { ($0.path, $0.digest) }, uniquingKeysWith: { a, _ in a })
    for dep in stage.deps {
      switch (recordedDeps[dep], observed.dependencyDigests[dep]) {
      case (_, nil): reasons.append(.dependencyMissing(path: dep))
      case (nil, _): reasons.append(.dependencyAdded(path: dep))
      case (let old?, let new?) where old != new: reasons.append(.dependencyChanged(path: dep))
      default: break
      }
    }
    for dep in entry.deps where !stage.deps.contains(dep.path) {
      reasons.append(.dependencyRemoved(path: dep.path))
    }
    if !observed.staleUpstream.isEmpty { reasons.append(.upstreamStale(observed.staleUpstream)) }
    let recordedOuts = Dictionary(
      entry.outs.map { ($0.path, $0.digest) }, uniquingKeysWith: { a, _ in a })
    for output in stage.outputs {
      switch (recordedOuts[output.path], observed.outputDigests[output.path]) {
      case (_, nil): reasons.append(.outputMissing(path: output.path))
      case (let old?, let new?) where old != new: reasons.append(.outputModified(path: output.path))
      case (nil, _): reasons.append(.definitionChanged)
      default: break
      }
    }
    if reasons.isEmpty, observed.staleUpstream.isEmpty,
      stage.deps.allSatisfy({ observed.dependencyDigests[$0] != nil }),
      Fingerprint.of(stage, dependencyDigests: observed.dependencyDigests) != entry.fingerprint
    {
      reasons.append(.definitionChanged)
    }
    return reasons
  }
}
