internal import ArgumentParser
internal import FairflowCore
internal import FairflowEngine
internal import FairflowStages
internal import FAIRStages
internal import Fetch
internal import Foundation
internal import Synchronization

/// `fairflow fetch IDENTIFIER [--files GLOB]… [--output DIR] [--offline] [--list]`.
struct FetchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fetch",
    abstract:
      "Download the files a DOI, URL, minid or bag publishes, verified against its checksums.",
    discussion: """
      Resolves DOIs through the doi.org handle API and the repository's own API (Zenodo, other \
      InvenioRDM, Figshare, Dataverse, CERN Open Data, or DataCite contentUrl). Downloads run in \
      parallel, resume with HTTP Range, retry 429/5xx (honouring Retry-After) and are verified \
      against every checksum the repository gives before they land in the output directory. The \
      listing and the files' SHA-256 are cached under cache/fetch, so a second fetch links the \
      files from the object store; --offline refuses to touch the network.
      """)

  @Argument(help: "DOI (10.5281/zenodo.N, doi:…, https://doi.org/…), https URL, minid:… or a bag.")
  var identifier: String
  @Option(name: .customLong("files"), help: "Glob on the repository's file paths (repeatable).")
  var files: [String] = []
  @Option(name: [.short, .customLong("output")], help: "Directory (default: data/<identifier>).")
  var output: String?
  @Flag(help: "Use only the cached listing and the object store; no network.") var offline = false
  @Flag(help: "Resolve and print the file list (path, size, checksum) without downloading.")
  var list = false
  @Option(help: "Parallel downloads.") var jobs = 4
  @Option(help: "Refuse files larger than this many bytes.") var maxFileSize: Int64?

  func run() async throws {
    let cwd = FileManager.default.currentDirectoryPath
    let workspace = Workspace.discover(from: cwd)
    let environment = ProcessInfo.processInfo.environment
    let client = WebClient(transport: NetworkTransport.shared)
    let endpoints = try FetchConfiguration.endpoints(environment)
    if list {
      var record = try await DatasetResolver(client: client, endpoints: endpoints)
        .resolve(identifier)
      if !files.isEmpty { record = try record.selecting(files) }
      for file in record.files {
        let checksum = file.checksums.max { $0.algorithm < $1.algorithm }?.description ?? "-"
        print("\(file.path)\t\(file.size.map(String.init) ?? "?")\t\(checksum)")
      }
      return
    }
    var target = output ?? "data/" + Self.slug(identifier)
    if !target.hasPrefix("/") { target = cwd + "/" + target }
    let request = FetchSession.Request(
      identifier: identifier, patterns: files, output: target,
      offline: offline || environment["FAIRFLOW_OFFLINE"] == "1", maxFileBytes: maxFileSize,
      jobs: max(1, jobs))
    let bar = ProgressBar(enabled: isatty(2) == 1 && environment["TERM"] != "dumb")
    let outcome = try await FetchSession(
      workspace: workspace.root, client: client, endpoints: endpoints
    ).run(request, progress: bar.callback)
    bar.finish()
    var shown = request
    shown.output = workspace.display(target)
    print(FetchSession.summary(outcome, request: shown))
  }

  /// A directory name for an identifier: `10.5281/zenodo.1234567` → `10.5281_zenodo.1234567`.
  static func slug(_ identifier: String) -> String {
    var text = identifier
    for prefix in ["https://doi.org/", "https://dx.doi.org/", "doi:", "minid:", "https://"]
    where text.lowercased().hasPrefix(prefix) {
      text = String(text.dropFirst(prefix.count))
    }
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    let slug = String(text.map { allowed.contains($0) ? $0 : "_" })
    return slug.isEmpty ? "fetched" : slug
  }
}

/// One redrawn line on stderr: files, bytes, rate (only on a terminal).
final class ProgressBar: Sendable {
  private let enabled: Bool
  private let last = Mutex(0.0)

  init(enabled: Bool) { self.enabled = enabled }

  var callback: @Sendable (DownloadProgress) -> Void {
    { [self] p in
      guard enabled else { return }
      let now = Date().timeIntervalSince1970
      let draw = last.withLock { t in
        guard now - t >= 0.1 else { return false }
        t = now
        return true
      }
      if draw {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + FetchSession.progressLine(p)).utf8))
      }
    }
  }

  func finish() {
    if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
  }
}
