public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import Fetch
internal import Foundation
public import FairflowBase

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
public struct FetchStage: BuiltinStage {
  public let name = "fetch"
  public let version = 1

  public init() {}

  static let identifierKeys = ["doi", "url", "minid", "bag"]

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    var fields: [(key: String, value: Value)] = []
    var given: [String] = []
    for key in Self.identifierKeys {
      guard let value = reader.value(key) else { continue }
      guard case .string(let text) = value, !text.isEmpty else {
        throw reader.error("'\(key)' must be a non-empty string")
      }
      if key == "doi", DOI(text) == nil {
        throw reader.error("'\(text)' is not a DOI", hint: "write it as 10.5281/zenodo.1234567")
      }
      given.append(key)
      fields.append((key, .string(text)))
    }
    guard given.count == 1 else {
      throw reader.error(
        given.isEmpty
          ? "fetch needs one of 'doi', 'url', 'minid' or 'bag'"
          : "fetch takes one of 'doi', 'url', 'minid' or 'bag', not \(given.joined(separator: " and "))"
      )
    }
    var patterns: [String] = []
    switch reader.value("files") {
    case nil: break
    case .string(let one)?: patterns = [one]
    case .list(let items)?:
      for item in items {
        guard case .string(let p) = item else {
          throw reader.error("'files' must be a glob or a list of globs")
        }
        patterns.append(p)
      }
    case .some: throw reader.error("'files' must be a glob or a list of globs")
    }
    let output = try reader.string("output")
    guard !output.hasPrefix("/"), !output.split(separator: "/").contains("..") else {
      throw reader.error("'output' must be a path inside the workspace")
    }
    fields.append(("files", .list(patterns.map(Value.string))))
    fields.append(("output", .string(output)))
    if reader.value("max_file_size") != nil {
      let cap = try reader.int("max_file_size")
      guard cap > 0 else { throw reader.error("'max_file_size' must be a positive byte count") }
      fields.append(("max_file_size", .int(cap)))
    }
    let jobs = try reader.int("jobs", default: 4)
    guard (1...64).contains(jobs) else { throw reader.error("'jobs' must be between 1 and 64") }
    fields.append(("jobs", .int(jobs)))
    try reader.finish()
    return .map(fields)
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let key = Self.identifierKeys.first { config[$0] != nil } ?? "doi"
    var identifier = config[key]?.stringValue ?? ""
    if key == "minid", !identifier.hasPrefix("minid:"), !identifier.hasPrefix("ark:") {
      identifier = "minid:" + identifier
    }
    let environment = ProcessInfo.processInfo.environment
    let request = FetchSession.Request(
      identifier: identifier,
      patterns: config["files"]?.listValue?.compactMap(\.stringValue) ?? [],
      output: config["output"]?.stringValue ?? "",
      offline: environment["FAIRFLOW_OFFLINE"] == "1",
      maxFileBytes: config["max_file_size"]?.intValue.map(Int64.init),
      jobs: config["jobs"]?.intValue ?? 4)
    let session = FetchSession(
      workspace: workspace.root, client: WebClient(transport: NetworkTransport.shared),
      endpoints: try FetchConfiguration.endpoints(environment))
    let outcome = try await session.run(request, progress: FetchProgressLog().callback)
    print(FetchSession.summary(outcome, request: request))
    if let file = environment["FAIRFLOW_ORIGINS"] {
      let origins = Value.map([(request.output, outcome.origin(identifier: identifier))])
      try FileIO.writeAtomically(Array(origins.canonicalText.utf8), to: file)
    }
  }
}
