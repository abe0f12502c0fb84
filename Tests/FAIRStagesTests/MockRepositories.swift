import Fetch
import Foundation
import MockHTTPServer

/// Loopback imitations of the repository APIs the FAIR stages talk to: a small Zenodo record
/// behind doi.org's handle API and DataCite (for `fetch`), and Zenodo's deposit API minting
/// 10.5281/zenodo.7777777 (for `publish`).
enum MockRepositories {
  static let doi = "10.5281/zenodo.1234567"
  static let hello = Array("hello\n".utf8)
  static let table = Array("a,b\n1,2\n".utf8)
  static let token = "zenodo-SECRET-test"

  /// The record: `hello.txt` and `tables/a.csv`, with MD5 checksums.
  static func record() async throws -> MockHTTPServer {
    let box = PortBox()
    let server = try await MockHTTPServer.start { request in
      let base = "http://127.0.0.1:\(box.port)"
      switch request.path {
      case "/api/handles/\(doi)":
        return .json(
          """
          {"responseCode": 1, "handle": "\(doi)",
           "values": [{"index": 1, "type": "URL",
                       "data": {"format": "string", "value": "\(base)/records/1234567"},
                       "ttl": 86400, "timestamp": "2024-01-02T03:04:05Z"}]}
          """)
      case "/api/records/1234567": return .json(recordJSON(base))
      case "/dois/\(doi)": return .json(dataCiteJSON(base))
      case "/api/records/1234567/files/hello.txt/content":
        return .file(hello, for: request, contentType: "text/plain")
      case "/api/records/1234567/files/tables/a.csv/content":
        return .file(table, for: request, contentType: "text/csv")
      default:
        return .json("{\"status\": 404, \"message\": \"not found\"}", status: 404)
      }
    }
    box.port = server.port
    return server
  }

  static func recordJSON(_ base: String) -> String {
    """
    {"id": 1234567, "recid": "1234567", "conceptrecid": "1234566", "doi": "\(doi)",
     "metadata": {"title": "Example dataset", "doi": "\(doi)",
                  "publication_date": "2024-01-02", "license": {"id": "cc-by-4.0"}},
     "links": {"self": "\(base)/api/records/1234567",
               "files": "\(base)/api/records/1234567/files"},
     "files": [
       {"id": "f1", "key": "hello.txt", "size": 6,
        "checksum": "md5:b1946ac92492d2347c6235b4d2611184",
        "links": {"self": "\(base)/api/records/1234567/files/hello.txt/content"}},
       {"id": "f2", "key": "tables/a.csv", "size": 8,
        "checksum": "md5:e5ebd4c02cefbe7955977c67ada242b7",
        "links": {"self": "\(base)/api/records/1234567/files/tables/a.csv/content"}}
     ]}
    """
  }

  static func dataCiteJSON(_ base: String) -> String {
    """
    {"data": {"id": "\(doi)", "type": "dois", "attributes": {
      "doi": "\(doi)",
      "creators": [{"name": "Doe, Jane", "nameType": "Personal", "givenName": "Jane",
                    "familyName": "Doe"}],
      "titles": [{"title": "Example dataset"}], "publisher": "Zenodo",
      "publicationYear": 2024, "version": "1.0",
      "rightsList": [{"rights": "Creative Commons Attribution 4.0 International",
                      "rightsIdentifier": "cc-by-4.0", "rightsIdentifierScheme": "SPDX"}],
      "url": "\(base)/records/1234567", "contentUrl": null, "state": "findable"}}}
    """
  }

  /// The environment that points `fetch`'s resolvers at `server`.
  static func environment(_ server: MockHTTPServer) -> [String: String] {
    [
      "FAIRFLOW_DOI_RESOLVER": server.baseURL.absoluteString,
      "FAIRFLOW_DATACITE_API": server.baseURL.absoluteString,
      "FAIRFLOW_REPOSITORY_HOSTS": "127.0.0.1:\(server.port)=zenodo",
    ]
  }

  /// Zenodo's legacy deposit API (create, upload, update metadata, publish).
  static func deposit() async throws -> MockHTTPServer {
    try await MockHTTPServer.start { request in
      let host = "http://" + (request.header("Host") ?? "127.0.0.1")
      guard request.header("Authorization") == "Bearer " + token else {
        return .json(#"{"message": "unauthorized", "status": 401}"#, status: 401)
      }
      let deposition = "\(host)/api/deposit/depositions/7777777"
      let links = """
        "links": {"self": "\(deposition)", "html": "\(host)/deposit/7777777",
          "bucket": "\(host)/api/files/bucket-7", "publish": "\(deposition)/actions/publish"}
        """
      switch (request.method, request.path) {
      case ("POST", "/api/deposit/depositions"):
        return .json(
          """
          {"id": 7777777, "conceptrecid": "7777776", "metadata": {"prereserve_doi":
            {"doi": "10.5281/zenodo.7777777", "recid": 7777777}}, \(links),
           "files": [], "state": "unsubmitted", "submitted": false}
          """, status: 201)
      case ("PUT", let path) where path.hasPrefix("/api/files/bucket-7/"):
        let md5 = StreamingHasher.hash(request.body, .md5)
        return .json(
          #"{"key": "k", "checksum": "md5:\#(md5)", "size": \#(request.body.count)}"#, status: 201)
      case ("PUT", "/api/deposit/depositions/7777777"):
        return .json(#"{"id": 7777777, \#(links), "submitted": false}"#)
      case ("POST", "/api/deposit/depositions/7777777/actions/publish"):
        return .json(
          """
          {"id": 7777777, "record_id": 7777777, "doi": "10.5281/zenodo.7777777",
           "conceptdoi": "10.5281/zenodo.7777776",
           "doi_url": "https://doi.org/10.5281/zenodo.7777777",
           "links": {"html": "\(host)/records/7777777"}, "state": "done", "submitted": true}
          """, status: 202)
      default:
        return .json(#"{"message": "not found", "status": 404}"#, status: 404)
      }
    }
  }
}

/// The server's port, set once it is bound (the handler builds absolute links with it).
final class PortBox: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0
  var port: Int {
    get { lock.withLock { value } }
    set { lock.withLock { value = newValue } }
  }
}
