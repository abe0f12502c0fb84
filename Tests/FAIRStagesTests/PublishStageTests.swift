import FairflowBase
import FairflowCore
import FairflowTesting
import Foundation
import MockHTTPServer
import Publish
import Testing

@testable import FAIRStages

/// `uses: publish`: the configuration's checks and normalised form, a dry run writing the
/// bundle into a temporary workspace, and a deposit to a loopback Zenodo deposit API.
@Suite struct PublishStageTests {
  static let base = #""model": "models/m", "output": "publication/m", "title": "T""#
  static let one = #"\#(base), "creators": ["Doe, Jane"]"#

  @Test(arguments: [
    (
      #"{"output": "p", "title": "T", "creators": ["a"]}"#,
      "'with' of stage 'publish' needs 'model'"
    ),
    (
      #"{"model": "m", "title": "T", "creators": ["a"]}"#,
      "'with' of stage 'publish' needs 'output'"
    ),
    (
      #"{"model": "m", "output": "p", "creators": ["a"]}"#,
      "'with' of stage 'publish' needs 'title'"
    ),
    (
      #"{"model": 1, "output": "p", "title": "T", "creators": ["a"]}"#,
      "expected a string for 'model' of stage 'publish', found 1"
    ),
    ("{\(base)}", "'creators' must list at least one author"),
    (#"{\#(base), "creators": []}"#, "'creators' must list at least one author"),
    (
      #"{\#(base), "creators": [""]}"#,
      #"a creator is "Family, Given" or {given, family, orcid, …}"#
    ),
    (#"{\#(base), "creators": [{"given": "Ann"}]}"#, "each creator map needs 'name' or 'family'"),
    (#"{\#(one), "description": ["x"]}"#, "'description' must be a string"),
    (#"{\#(one), "date": 2026}"#, "'date' must be a string"),
    (#"{\#(one), "license": "cc-by-5.0"}"#, "'cc-by-5.0' is not an SPDX licence id fairflow knows"),
    (#"{\#(one), "resource_type": "Poem"}"#, "unknown resource_type 'Poem'"),
    (#"{\#(one), "keywords": "tagging"}"#, "'keywords' must be a list of strings"),
    (#"{\#(one), "data": ["zenodo 1"]}"#, "'zenodo 1' in 'data' is not a DOI"),
    (
      #"{\#(one), "deposit": {"url": "https://zenodo.org"}}"#,
      "'deposit' needs {url: https://…, token_env: NAME}"
    ),
    (
      #"{\#(one), "deposit": {"url": "ftp://zenodo.org", "token_env": "T"}}"#,
      "deposit url 'ftp://zenodo.org' is not an http(s) URL"
    ),
    (#"{\#(one), "titel": "x"}"#, "unknown key 'titel' in 'with' of stage 'publish'"),
  ])
  func invalidConfigurationIsALoadError(_ json: String, _ problem: String) {
    let error = validationError(json, with: PublishStage())
    #expect(error?.problem == problem)
    #expect(error?.location?.line == 5)
  }

  @Test func normalisedFormKeepsWhatWasGivenAndDecodesToItself() throws {
    let value = try validate(
      #"{\#(Self.base), "creators": ["Doe, Jane", {"given": "Ann", "family": "Lee", "orcid": "0000-0002-1825-0097"}, {"name": "Team X"}], "version": 2, "license": "cc-by-4.0", "keywords": ["jets"], "deposit": {"url": "https://zenodo.org", "token_env": "TOKEN", "note": "ignored"}}"#,
      with: PublishStage())
    #expect(value["version"] == .string("2"))
    #expect(
      value["deposit"]
        == .map([("url", .string("https://zenodo.org")), ("token_env", .string("TOKEN"))]))
    #expect(value["description"] == nil && value["data"] == nil)
    #expect(value["creators"]?.listValue?.count == 3)
    let config = try PublishConfig(value) { PipelineError($0, hint: $1) }
    #expect(try PublishConfig(config.value) { PipelineError($0, hint: $1) } == config)
    #expect(config.value.canonicalText == value.canonicalText)
    let authors = config.authors
    #expect(authors[0].givenName == "Jane" && authors[0].familyName == "Doe")
    #expect(authors[1].familyName == "Lee" && authors[1].orcid == "0000-0002-1825-0097")
    #expect(authors[2].name == "Team X")
    let decimal = try validate(#"{\#(Self.one), "version": 1.5}"#, with: PublishStage())
    #expect(decimal["version"] == .string("1.5"))
  }

  /// A workspace with a model directory and its metrics.
  func workspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write(
      "models/m/model.json",
      #"{"inputs": [{"name": "x", "shape": ["batch", 3], "dtype": "float32"}], "outputs": [{"name": "y", "shape": ["batch", 2]}]}"#
    )
    try ws.write("models/m/model.onnx", "not really onnx")
    try ws.write("metrics/m.json", #"{"auc": 0.953, "auc_std": 0.004, "accuracy": 0.9}"#)
    return ws
  }

  func config(_ extra: String) throws -> PublishConfig {
    try PublishConfig(
      ValueParser.parse(
        #"{\#(Self.one), "metrics": "metrics/m.json", "license": "cc-by-4.0", "date": "2026-01-02", "data": ["10.5281/zenodo.3602260"]\#(extra)}"#,
        file: "t")
    ) { PipelineError($0, hint: $1) }
  }

  @Test func dryRunWritesTheBundleWithoutDepositing() async throws {
    let ws = try workspace("publish-dry")
    defer { ws.destroy() }
    try await PublishStage().run(try config(""), workspace: ws.root, environment: [:])
    for file in [
      "bagit.txt", "data/datacite.json", "data/CITATION.cff", "data/ro-crate-metadata.json",
      "data/MODEL_CARD.md", "data/fair-assessment.json", "data/model/model.onnx",
    ] {
      #expect(ws.exists("publication/m/" + file), "\(file)")
    }
    let datacite = try ws.read("publication/m/data/datacite.json")
    #expect(datacite.contains("10.5281/zenodo.3602260"), "the data DOI is related")
    #expect(datacite.contains("2026"))
    let card = try ws.read("publication/m/data/MODEL_CARD.md")
    #expect(card.contains("0.953"))
    #expect(card.contains("batch"))
  }

  @Test func depositRecordsTheMintedDOI() async throws {
    let zenodo = try await MockRepositories.deposit()
    let ws = try workspace("publish-deposit")
    defer { ws.destroy() }
    let config = try config(
      #", "deposit": {"url": "\#(zenodo.baseURL.absoluteString)", "token_env": "ZENODO_TOKEN"}"#)
    // Without the token: a clear failure before any request.
    await #expect {
      try await PublishStage().run(config, workspace: ws.root, environment: [:])
    } throws: { error in
      "\(error)" == "publish: deposit.token_env: the environment variable ZENODO_TOKEN is not set"
    }
    #expect(zenodo.requests.isEmpty)
    let environment = [
      "ZENODO_TOKEN": MockRepositories.token, "FAIRFLOW_ORIGINS": ws.path("origins.json"),
    ]
    try await PublishStage().run(config, workspace: ws.root, environment: environment)
    let sequence = zenodo.requests.map { "\($0.method) \($0.path)" }
    #expect(sequence.first == "POST /api/deposit/depositions")
    #expect(sequence.last == "POST /api/deposit/depositions/7777777/actions/publish")
    #expect(try ws.read("publication/m/data/datacite.json").contains("10.5281/zenodo.7777777"))
    let origins = try ValueParser.parse(ws.read("origins.json"), file: "origins.json")
    let origin = try #require(origins["publication/m"])
    #expect(origin["doi"] == .string("10.5281/zenodo.7777777"))
    #expect(origin["relation"] == .string("published-as"))
    #expect(origin["deposition"] == .int(7_777_777))
    #expect(origin["concept_doi"] == .string("10.5281/zenodo.7777776"))
    #expect(!(try ws.read("origins.json")).contains(MockRepositories.token))
    try await zenodo.shutdown()
  }
}
