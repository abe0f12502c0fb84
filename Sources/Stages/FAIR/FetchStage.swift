public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore
internal import Fetch
internal import Foundation

/// `uses: fetch`: exactly the published data, verified, into a workspace directory (docs/fetch.md).
///
/// ```yaml
/// fetch:
///   uses: fetch
///   outs: [data/raw]
///   with:
///     doi: 10.5281/zenodo.3602260     # or url: https://…, minid: minid:…, bag: path-or-url
///     files: ["*.root"]               # globs on the repository's file paths (default: all)
///     output: data/raw                # directory the files land in (keeping their paths)
///     max_file_size: 20000000000      # bytes; larger files are refused (default: no cap)
///     jobs: 4                         # parallel downloads
/// ```
///
/// The fingerprint is the identifier and the selection, so a second run restores the directory
/// from the run cache without a single HTTP request. The origin written to `$FAIRFLOW_ORIGINS`
/// names the DOI, resolved URLs, repository checksums, retrieval time and DataCite metadata.
public struct FetchStage: TypedStage {
  public typealias Configuration = FetchConfig
  public let name = "fetch"
  public let version = 1

  public init() {}

  public func run(_ config: FetchConfig, stage: Stage, workspace: Workspace) async throws {
    try await run(
      config, workspace: workspace.root, environment: ProcessInfo.processInfo.environment)
  }

  /// The run with its environment explicit: `FAIRFLOW_OFFLINE`, the resolver endpoints
  /// (`FetchConfiguration`) and `FAIRFLOW_ORIGINS`, the file the output's origin goes to.
  func run(_ config: FetchConfig, workspace root: String, environment: [String: String])
    async throws
  {
    let request = config.request(offline: environment["FAIRFLOW_OFFLINE"] == "1")
    let session = FetchSession(
      workspace: root, client: WebClient(transport: NetworkTransport.shared),
      endpoints: try FetchConfiguration.endpoints(environment))
    let outcome = try await session.run(request, progress: FetchProgressLog().callback)
    print(FetchSession.summary(outcome, request: request))
    if let file = environment["FAIRFLOW_ORIGINS"] {
      let origins = Value.map([(request.output, outcome.origin(identifier: request.identifier))])
      try FileIO.writeAtomically(Array(origins.canonicalText.utf8), to: file)
    }
  }
}
