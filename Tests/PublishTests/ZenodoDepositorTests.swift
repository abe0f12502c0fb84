import FairflowTesting
import Fetch
import Foundation
import MockHTTPServer
import Publish
import Testing

/// A loopback imitation of Zenodo's deposit API (doi-apis.md §14.2) with switchable faults.
final class MockZenodo: @unchecked Sendable {
  enum Fault { case none, unauthorized, validation, wrongChecksum, publishDropsAfterSuccess }
  static let token = "s3cr3t-T0KEN-value"
  let fault: Fault
  private let lock = NSLock()
  private var published = false

  init(_ fault: Fault = .none) { self.fault = fault }

  func handle(_ request: MockHTTPServer.Request) -> MockHTTPServer.Response {
    let host = "http://" + (request.header("Host") ?? "127.0.0.1")
    guard request.header("Authorization") == "Bearer " + MockZenodo.token, fault != .unauthorized
    else {
      return .json(
        #"{"message": "The server could not verify that you are authorized to access the URL requested.", "status": 401}"#,
        status: 401)
    }
    let deposition = "\(host)/api/deposit/depositions/1234567"
    let links = """
      "links": {"self": "\(deposition)", "html": "\(host)/deposit/1234567",
        "bucket": "\(host)/api/files/bucket-1", "publish": "\(deposition)/actions/publish"}
      """
    switch (request.method, request.path) {
    case ("POST", "/api/deposit/depositions"):
      return .json(
        """
        {"id": 1234567, "conceptrecid": "1234566", "metadata": {"prereserve_doi":
          {"doi": "10.5281/zenodo.1234567", "recid": 1234567}}, \(links),
         "files": [], "state": "unsubmitted", "submitted": false}
        """, status: 201)
    case ("PUT", let path) where path.hasPrefix("/api/files/bucket-1/"):
      var md5 = StreamingHasher.hash(request.body, .md5)
      if fault == .wrongChecksum { md5 = String(repeating: "0", count: 32) }
      return .json(
        #"{"key": "k", "checksum": "md5:\#(md5)", "size": \#(request.body.count)}"#, status: 201)
    case ("PUT", "/api/deposit/depositions/1234567"):
      if fault == .validation {
        return .json(
          #"{"message": "Validation error (token \#(MockZenodo.token))", "status": 400, "errors": [{"field": "metadata.creators.0.name", "message": "Name is required."}]}"#,
          status: 400)
      }
      return .json(#"{"id": 1234567, \#(links), "submitted": false}"#)
    case ("POST", "/api/deposit/depositions/1234567/actions/publish"):
      lock.withLock { published = true }
      if fault == .publishDropsAfterSuccess { return .text("upstream gone", status: 502) }
      return .json(publishedBody(host), status: 202)
    case ("GET", "/api/deposit/depositions/1234567"):
      let done = lock.withLock { published }
      return done
        ? .json(publishedBody(host)) : .json(#"{"id": 1234567, \#(links), "submitted": false}"#)
    default:
      return .json(#"{"message": "not found", "status": 404}"#, status: 404)
    }
  }

  func publishedBody(_ host: String) -> String {
    """
    {"id": 1234567, "record_id": 1234567, "doi": "10.5281/zenodo.1234567",
     "conceptdoi": "10.5281/zenodo.1234566", "doi_url": "https://doi.org/10.5281/zenodo.1234567",
     "links": {"html": "\(host)/records/1234567"}, "state": "done", "submitted": true}
    """
  }
}

@Suite struct ZenodoDepositorTests {
  func withMock(
    _ fault: MockZenodo.Fault = .none,
    _ body: (MockHTTPServer, ZenodoDepositor, URL) async throws -> Void
  ) async throws {
    let mock = MockZenodo(fault)
    let server = try await MockHTTPServer.start { mock.handle($0) }
    var policy = RequestPolicy()
    policy.maxAttempts = 1
    policy.timeout = 10
    let depositor = ZenodoDepositor(
      client: WebClient(transport: NetworkTransport.tests, policy: policy),
      baseURL: server.baseURL, token: MockZenodo.token)
    let bundle = try Fixture.directory("deposit").appendingPathComponent("bundle")
    try PublicationBundle.write(
      spec: Fixture.spec(doi: nil), inputs: Fixture.inputs(), to: bundle, date: Fixture.date)
    do {
      try await body(server, depositor, bundle)
    } catch {
      try await server.shutdown()
      throw error
    }
    try await server.shutdown()
  }

  static let uploads = [
    "CITATION.cff", "MODEL_CARD.md", "datacite.json", "fair-assessment.json",
    "fair-assessment.md", "metrics.json", "a%20b.csv", "model.onnx", "model.safetensors",
    "train.json", "ro-crate-metadata.json",
  ]

  @Test func depositsInTheDocumentedSequence() async throws {
    try await withMock { server, depositor, bundle in
      let metadata = ZenodoMetadata(spec: Fixture.spec(doi: nil), date: Fixture.date)
      let result = try await depositor.deposit(bundle: bundle, metadata: metadata)
      #expect(result.doi == "10.5281/zenodo.1234567")
      #expect(result.conceptDOI == "10.5281/zenodo.1234566")
      #expect(result.doiURL == URL(string: "https://doi.org/10.5281/zenodo.1234567"))
      #expect(result.recordURL == server.baseURL.appendingPathComponent("records/1234567"))
      #expect(result.depositionID == 1_234_567)
      #expect(result.files.count == 11)

      let requests = server.requests
      let sequence = requests.map { "\($0.method) \($0.path)" }
      #expect(
        sequence
          == ["POST /api/deposit/depositions"]
          + Self.uploads.map { "PUT /api/files/bucket-1/" + $0 }
          + [
            "PUT /api/deposit/depositions/1234567",
            "POST /api/deposit/depositions/1234567/actions/publish",
          ])
      for request in requests {
        #expect(request.header("Authorization") == "Bearer " + MockZenodo.token)
      }
      #expect(requests[0].body == Array("{}".utf8))
      #expect(requests[0].header("Content-Type") == "application/json")
      let onnx = try #require(requests.first { $0.path == "/api/files/bucket-1/model.onnx" })
      #expect(onnx.body == Array("onnx-bytes\n".utf8))
      #expect(onnx.header("Content-Type") == "application/octet-stream")
      let csv = try #require(requests.first { $0.path == "/api/files/bucket-1/a%20b.csv" })
      #expect(csv.body == Array("a,b\n1,2\n".utf8))
      let crate = try Data(contentsOf: bundle.appendingPathComponent("data/ro-crate-metadata.json"))
      #expect(requests[11].body == Array(crate))

      let put = requests[12]
      #expect(put.header("Content-Type") == "application/json")
      #expect(
        String(decoding: put.body, as: UTF8.self)
          == #"{"metadata":{"access_right":"open","creators":[{"affiliation":"Example Lab","name":"Doe, Jane","orcid":"0000-0002-1825-0097"},{"name":"FAIR4HEP Collaboration"}],"description":"<p>Interaction network tagging H→bb jets.</p><p>Trained with fairflow.</p>","keywords":["particle physics","jet tagging"],"license":"cc-by-4.0","publication_date":"2024-01-02","related_identifiers":[{"identifier":"10.7483/OPENDATA.CMS.JGJX.MS7Q","relation":"isDerivedFrom","resource_type":"dataset"},{"identifier":"https://github.com/FAIR4HEP/hbb_interaction_network","relation":"isSupplementedBy","resource_type":"software"}],"title":"Hbb interaction network","upload_type":"software","version":"1.0"}}"#
      )
      #expect(requests[13].body.isEmpty)
      #expect(!"\(result)".contains(MockZenodo.token))
      #expect(!"\(depositor)".contains(MockZenodo.token))
      #expect(!String(reflecting: depositor).contains(MockZenodo.token))
    }
  }

  @Test func validationErrorCarriesTheServerMessageWithoutTheToken() async throws {
    try await withMock(.validation) { server, depositor, bundle in
      let metadata = ZenodoMetadata(spec: Fixture.spec(doi: nil), date: Fixture.date)
      let error = await #expect(throws: PublishError.self) {
        try await depositor.deposit(bundle: bundle, metadata: metadata)
      }
      #expect(
        error
          == .server(
            step: "set metadata", status: 400,
            message: "Validation error (token <token>); metadata.creators.0.name: Name is required."
          ))
      #expect(!"\(error.map { "\($0)" } ?? "")".contains(MockZenodo.token))
      #expect(!server.requests.contains { $0.path.hasSuffix("/actions/publish") })
    }
  }

  @Test func unauthorizedCreateFailsBeforeAnyUpload() async throws {
    try await withMock(.unauthorized) { server, depositor, bundle in
      let metadata = ZenodoMetadata(spec: Fixture.spec(doi: nil), date: Fixture.date)
      let error = await #expect(throws: PublishError.self) {
        try await depositor.deposit(bundle: bundle, metadata: metadata)
      }
      #expect(
        error?.description
          == "deposit: create deposition failed with HTTP 401: The server could not verify that you are authorized to access the URL requested."
      )
      #expect(server.requests.count == 1)
    }
  }

  @Test func wrongUploadChecksumStopsBeforePublishing() async throws {
    try await withMock(.wrongChecksum) { server, depositor, bundle in
      let metadata = ZenodoMetadata(spec: Fixture.spec(doi: nil), date: Fixture.date)
      let error = await #expect(throws: PublishError.self) {
        try await depositor.deposit(bundle: bundle, metadata: metadata)
      }
      let expected = try md5(bundle, "data/CITATION.cff")
      #expect(
        error
          == .uploadChecksumMismatch(
            file: "CITATION.cff", expected: expected,
            actual: String(repeating: "0", count: 32)))
      #expect(server.requests.map(\.method) == ["POST", "PUT"])
    }
  }

  @Test func publishThatFailedAfterSucceedingIsConfirmedByState() async throws {
    try await withMock(.publishDropsAfterSuccess) { server, depositor, bundle in
      let deposition = try await depositor.createDeposition()
      #expect(deposition.reservedDOI == "10.5281/zenodo.1234567")
      let result = try await depositor.publish(deposition)
      #expect(result.doi == "10.5281/zenodo.1234567")
      #expect(
        server.requests.map { "\($0.method) \($0.path)" }.suffix(2) == [
          "POST /api/deposit/depositions/1234567/actions/publish",
          "GET /api/deposit/depositions/1234567",
        ])
    }
  }

  @Test func uploadKeysAreFlatAndUnique() throws {
    #expect(
      try ZenodoDepositor.uploadKeys(for: [
        "a.json", "model/b.onnx", "model/c.json", "provenance/c.json",
      ])
        == ["a.json", "b.onnx", "model__c.json", "provenance__c.json"])
    #expect(throws: PublishError.duplicatePath("x__y")) {
      try ZenodoDepositor.uploadKeys(for: ["x/y", "x__y", "z/y"])
    }
  }

  func md5(_ bundle: URL, _ path: String) throws -> String {
    StreamingHasher.hash(Array(try Data(contentsOf: bundle.appendingPathComponent(path))), .md5)
  }
}

extension NetworkTransport {
  /// The real transport with a long idle timeout, so a starved CI machine slows these tests
  /// down instead of cutting bodies with the default 60 s read timeout.
  static let tests = NetworkTransport(connectTimeout: 30, idleTimeout: 600)
}
