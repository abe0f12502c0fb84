import FairflowBase
import FairflowCore
import FairflowTesting
import Fetch
import Foundation
import MockHTTPServer
import Testing

@testable import FAIRStages

/// `uses: fetch`: the configuration's checks and normalised form, and a fetch of a small
/// Zenodo-like record from a loopback server — verified files, the cached listing that makes a
/// second fetch free of network requests, the origin, and offline refusal.
@Suite struct FetchStageTests {
  static let doi = #""doi": "10.5281/zenodo.1234567""#

  @Test(arguments: [
    (#"{"output": "d"}"#, "fetch needs one of 'doi', 'url', 'minid' or 'bag'"),
    (
      #"{\#(doi), "url": "https://x.org/a", "output": "d"}"#,
      "fetch takes one of 'doi', 'url', 'minid' or 'bag', not doi and url"
    ),
    (#"{"doi": "zenodo 1", "output": "d"}"#, "'zenodo 1' is not a DOI"),
    (#"{"url": "", "output": "d"}"#, "'url' must be a non-empty string"),
    (#"{"bag": 3, "output": "d"}"#, "'bag' must be a non-empty string"),
    (#"{\#(doi), "files": 3, "output": "d"}"#, "'files' must be a glob or a list of globs"),
    (
      #"{\#(doi), "files": ["*.txt", 3], "output": "d"}"#,
      "'files' must be a glob or a list of globs"
    ),
    (#"{\#(doi)}"#, "'with' of stage 'fetch' needs 'output'"),
    (
      #"{\#(doi), "output": ["d"]}"#,
      #"expected a string for 'output' of stage 'fetch', found ["d"]"#
    ),
    (#"{\#(doi), "output": "/data"}"#, "'output' must be a path inside the workspace"),
    (#"{\#(doi), "output": "data/../.."}"#, "'output' must be a path inside the workspace"),
    (
      #"{\#(doi), "output": "d", "max_file_size": 0}"#,
      "'max_file_size' must be a positive byte count"
    ),
    (
      #"{\#(doi), "output": "d", "max_file_size": "1 GB"}"#,
      #"expected an integer for 'max_file_size' of stage 'fetch', found "1 GB""#
    ),
    (#"{\#(doi), "output": "d", "jobs": 65}"#, "'jobs' must be between 1 and 64"),
    (#"{\#(doi), "output": "d", "job": 2}"#, "unknown key 'job' in 'with' of stage 'fetch'"),
  ])
  func invalidConfigurationIsALoadError(_ json: String, _ problem: String) {
    let error = validationError(json, with: FetchStage())
    #expect(error?.problem == problem)
    #expect(error?.location?.line == 5)
  }

  @Test func hintsNameTheFormAndTheNearestKey() {
    #expect(
      validationError(#"{"doi": "zenodo 1", "output": "d"}"#, with: FetchStage())?.hint
        == "write it as 10.5281/zenodo.1234567")
    #expect(
      validationError(#"{\#(Self.doi), "output": "d", "job": 2}"#, with: FetchStage())?.hint
        == "did you mean 'jobs'?")
  }

  @Test func normalisedFormHasDefaultsAndDecodesToItself() throws {
    let value = try validate(#"{"minid": "b97957", "output": "data/raw"}"#, with: FetchStage())
    #expect(
      value.canonicalText
        == #"{"files":[],"jobs":4,"minid":"b97957","output":"data/raw"}"#)
    let config = try FetchConfig(value) { PipelineError($0, hint: $1) }
    #expect(config.source == .minid && config.resolvable == "minid:b97957")
    #expect(try FetchConfig(config.value) { PipelineError($0, hint: $1) } == config)
    let capped = try FetchConfig(
      ValueParser.parse(
        #"{"url": "https://x.org/a.root", "files": "*.root", "output": "d", "max_file_size": 10, "jobs": 2}"#,
        file: "t")
    ) { PipelineError($0, hint: $1) }
    #expect(
      capped.request(offline: true)
        == FetchSession.Request(
          identifier: "https://x.org/a.root", patterns: ["*.root"], output: "d", offline: true,
          maxFileBytes: 10, jobs: 2))
    #expect(capped.value["max_file_size"] == .int(10) && config.value["max_file_size"] == nil)
  }

  func config(_ json: String) throws -> FetchConfig {
    try FetchConfig(ValueParser.parse(json, file: "t")) { PipelineError($0, hint: $1) }
  }

  @Test func fetchesVerifiesRecordsTheOriginAndCachesTheListing() async throws {
    let server = try await MockRepositories.record()
    let ws = try TemporaryWorkspace("fetch-stage")
    defer { ws.destroy() }
    var environment = MockRepositories.environment(server)
    environment["FAIRFLOW_ORIGINS"] = ws.path("origins.json")
    let config = try config(#"{\#(Self.doi), "output": "data/raw"}"#)
    try await FetchStage().run(config, workspace: ws.root, environment: environment)
    #expect(try ws.readBytes("data/raw/hello.txt") == MockRepositories.hello)
    #expect(try ws.readBytes("data/raw/tables/a.csv") == MockRepositories.table)
    let origins = try ValueParser.parse(ws.read("origins.json"), file: "origins.json")
    let origin = try #require(origins["data/raw"])
    #expect(origin["doi"] == .string(MockRepositories.doi))
    #expect(origin["title"] == .string("Example dataset"))
    #expect(origin["files"]?.listValue?.count == 2)
    #expect(
      origin["files"]?.listValue?.first?["checksum"]
        == .string("md5:b1946ac92492d2347c6235b4d2611184"))
    #expect(!ws.exists("cache/fetch/partial/" + config.request(offline: false).key))

    // Again into an empty output: the cached listing and the object store, no request at all.
    let requests = server.requests.count
    try ws.remove("data/raw")
    try await FetchStage().run(config, workspace: ws.root, environment: environment)
    #expect(server.requests.count == requests)
    #expect(try ws.readBytes("data/raw/tables/a.csv") == MockRepositories.table)
    // Offline works from the cache too.
    environment["FAIRFLOW_OFFLINE"] = "1"
    try ws.remove("data/raw")
    try await FetchStage().run(config, workspace: ws.root, environment: environment)
    #expect(try ws.readBytes("data/raw/hello.txt") == MockRepositories.hello)
    try await server.shutdown()
  }

  @Test func selectionKeepsOnlyMatchingFilesAndOfflineWithoutACacheIsRefused() async throws {
    let server = try await MockRepositories.record()
    let ws = try TemporaryWorkspace("fetch-select")
    defer { ws.destroy() }
    var environment = MockRepositories.environment(server)
    let config = try config(#"{\#(Self.doi), "files": "tables/*", "output": "data/t"}"#)
    try await FetchStage().run(config, workspace: ws.root, environment: environment)
    #expect(ws.exists("data/t/tables/a.csv") && !ws.exists("data/t/hello.txt"))
    environment["FAIRFLOW_OFFLINE"] = "1"
    let other = try self.config(#"{\#(Self.doi), "files": "*.txt", "output": "data/h"}"#)
    let requests = server.requests.count
    await #expect {
      try await FetchStage().run(other, workspace: ws.root, environment: environment)
    } throws: { error in
      "\(error)".contains("no cached listing for \(MockRepositories.doi)")
    }
    #expect(server.requests.count == requests && !ws.exists("data/h"))
    try await server.shutdown()
  }
}
