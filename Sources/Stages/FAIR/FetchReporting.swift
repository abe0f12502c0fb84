public import Fetch
internal import FairflowBase
internal import Foundation
internal import Synchronization

/// Progress of a fetch as log lines (a stage's output goes to its log): one line per finished
/// file and at most one progress line every five seconds.
public final class FetchProgressLog: Sendable {
  private struct State {
    var filesDone = -1
    var lastLine = 0.0
  }
  private let state = Mutex(State())

  public init() {}

  public var callback: @Sendable (DownloadProgress) -> Void {
    { [self] p in
      let now = Date().timeIntervalSince1970
      StageProgress.shared.report(
        String(FetchSession.progressLine(p).dropFirst("fetch: ".count)),
        force: p.filesDone == p.filesTotal)
      let line: String? = state.withLock { s in
        guard p.filesDone != s.filesDone || now - s.lastLine >= 5 else { return nil }
        s.filesDone = p.filesDone
        s.lastLine = now
        return FetchSession.progressLine(p)
      }
      if let line { print(line) }
    }
  }
}

extension FetchSession {
  /// "fetch: 2/5 files, 120.3 MB at 45.1 MB/s (current: data.root)".
  public static func progressLine(_ p: DownloadProgress) -> String {
    var text = "fetch: \(p.filesDone)/\(p.filesTotal) files, \(byteCount(p.bytes))"
    if let total = p.total { text += " of \(byteCount(total))" }
    if p.bytesPerSecond > 0 { text += " at \(byteCount(Int64(p.bytesPerSecond)))/s" }
    if !p.file.isEmpty { text += " (current: \(p.file))" }
    return text
  }

  /// Decimal units, as repositories state sizes.
  public static func byteCount(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
  }

  /// The closing report: what was resolved, where it went, how each file was verified.
  public static func summary(_ outcome: Outcome, request: Request) -> String {
    let total = outcome.files.reduce(Int64(0)) { $0 + $1.size }
    var lines = [
      "fetch: \(request.identifier) (\(outcome.record.repository.rawValue)) → \(request.output): "
        + "\(outcome.files.count) file\(outcome.files.count == 1 ? "" : "s"), \(byteCount(total)) "
        + "(\(outcome.downloaded) downloaded, \(outcome.reused) from the store"
        + (outcome.listingCached ? ", listing cached)" : ")")
    ]
    if let title = outcome.record.metadata.title { lines.append("  title: \(title)") }
    for file in outcome.files {
      lines.append(
        "  \(file.path)  \(byteCount(file.size))  "
          + (file.checksum.map { "\($0.prefix(20))… verified" } ?? "no repository checksum")
          + "  sha256:\(file.sha256.prefix(16))…")
    }
    return lines.joined(separator: "\n")
  }
}
