/// Where a stage's gates take their baseline from: the stage's `baseline:` metrics file, or with
/// `fairflow check --rev REV` the stage's own metrics file as committed at that revision.
package enum GateBaseline: Sendable, Equatable {
  /// Neither: `max_drop`/`max_rise` have nothing to compare with.
  case none
  /// The stage's `baseline:` file (workspace-relative).
  case file(String)
  /// The metrics file `file` at git revision `revision`.
  case revision(String, file: String)

  /// For a person: "baseline.json", "metrics/evaluate.json at origin/main", "no baseline".
  package var description: String {
    switch self {
    case .none: return "no baseline"
    case .file(let path): return path
    case .revision(let revision, let file): return "\(file) at \(revision)"
    }
  }
}
