/// A stage's (or a stage group's) state as the report colours it: what `fairflow status`
/// computes (up to date, stale, never run) plus "failed" when the newest provenance record of a
/// stale stage says its last run failed.
package enum StageStatus: String, Sendable, CaseIterable {
  case upToDate = "up-to-date"
  case stale
  case failed
  case neverRun = "never-run"

  /// As the legend and node labels say it.
  package var label: String {
    switch self {
    case .upToDate: "up to date"
    case .stale: "stale"
    case .failed: "failed"
    case .neverRun: "never run"
    }
  }

  /// Node fill and border colours (colour-blind safe: green, amber, red, grey).
  package var colours: (fill: String, stroke: String) {
    switch self {
    case .upToDate: ("#e3f2e1", "#2e7d32")
    case .stale: ("#fff3d6", "#b7791f")
    case .failed: ("#fde2e1", "#c62828")
    case .neverRun: ("#eeeeee", "#777777")
    }
  }

  /// One state for a group of stages: failed if any failed, up to date or never run if all
  /// are, stale otherwise (some ran and some did not, or something changed).
  package static func combined(_ statuses: [StageStatus]) -> StageStatus {
    if statuses.contains(.failed) { return .failed }
    if statuses.allSatisfy({ $0 == .upToDate }) { return .upToDate }
    if statuses.allSatisfy({ $0 == .neverRun }) { return .neverRun }
    return .stale
  }
}
