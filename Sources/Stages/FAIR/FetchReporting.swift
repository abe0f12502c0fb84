public import Fetch
internal import Foundation
internal import Synchronization

/// Resolver base URLs from the environment, so mirrors and tests can redirect every request:
/// `FAIRFLOW_DOI_RESOLVER` (https://doi.org), `FAIRFLOW_DATACITE_API` (https://api.datacite.org),
/// `FAIRFLOW_MINID_RESOLVER`, `FAIRFLOW_FIGSHARE_API`, and `FAIRFLOW_REPOSITORY_HOSTS`
/// (`host[:port]=kind,…` with kind zenodo, invenio, figshare, dataverse, cern-opendata, added to
/// the built-in table) for mirrors whose host does not tell what they speak.
public enum FetchConfiguration {
  public static func endpoints(_ environment: [String: String]) throws(FetchError)
    -> ResolverEndpoints
  {
    var endpoints = ResolverEndpoints()
    func url(_ name: String) throws(FetchError) -> URL? {
      guard let text = environment[name], !text.isEmpty else { return nil }
      guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http" else {
        throw FetchError.unsupportedIdentifier("\(name)=\(text) (not an http(s) URL)")
      }
      return url
    }
    if let u = try url("FAIRFLOW_DOI_RESOLVER") { endpoints.doiProxy = u }
    if let u = try url("FAIRFLOW_DATACITE_API") { endpoints.dataCiteAPI = u }
    if let u = try url("FAIRFLOW_MINID_RESOLVER") { endpoints.minidResolver = u }
    if let u = try url("FAIRFLOW_FIGSHARE_API") { endpoints.figshareAPI = u }
    for entry in (environment["FAIRFLOW_REPOSITORY_HOSTS"] ?? "").split(separator: ",") {
      let parts = entry.split(separator: "=", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard parts.count == 2, let kind = RepositoryKind(rawValue: parts[1]) else {
        throw FetchError.unsupportedIdentifier(
          "FAIRFLOW_REPOSITORY_HOSTS entry '\(entry)' (write host[:port]=zenodo|invenio|"
            + "figshare|dataverse|cern-opendata)")
      }
      endpoints.repositoryHosts[parts[0].lowercased()] = kind
    }
    return endpoints
  }
}

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
