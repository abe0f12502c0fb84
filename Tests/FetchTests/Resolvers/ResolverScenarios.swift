import Fetch
import Foundation
import Testing

/// One repository served end to end: the routes (request target → answer, `{BASE}` standing for
/// the server's `http://127.0.0.1:PORT`), the identifier, and what resolution must send and give.
struct ResolverScenario: Sendable, CustomTestStringConvertible {
  struct Route: Sendable {
    var status = 200
    var body: String
    var contentType = "application/json"
    var headers: [(name: String, value: String)] = []
  }

  var name: String
  var identifier: String
  /// The repository hint for the server's `host:port`, nil to let dispatch decide.
  var hint: RepositoryKind?
  var routes: [String: Route]
  /// Request targets in order.
  var expectedRequests: [String]
  var repository: RepositoryKind
  /// Paths, URLs (`{BASE}`), sizes and checksums.
  var expectedFiles: [(path: String, url: String, size: Int64?, checksums: [Checksum])]
  var expectedTitle: String?
  var expectedVersion: String?

  var testDescription: String { name }

  func route(_ target: String, base: String) -> Route? {
    guard var route = routes[target] else { return nil }
    route.body = route.body.replacingOccurrences(of: "{BASE}", with: base)
    route.headers = route.headers.map {
      ($0.name, $0.value.replacingOccurrences(of: "{BASE}", with: base))
    }
    return route
  }

  func files(base: String) -> [RemoteFile] {
    expectedFiles.map {
      RemoteFile(
        path: $0.path, url: URL(string: $0.url.replacingOccurrences(of: "{BASE}", with: base))!,
        size: $0.size, checksums: $0.checksums)
    }
  }

  static func handle(_ url: String) -> Route {
    Route(
      body: ReferenceBodies.handle.replacingOccurrences(
        of: "https://zenodo.org/doi/10.5281/zenodo.1234567", with: url))
  }

  static let dataCite = Route(body: ReferenceBodies.dataCiteREST)

  static let all: [ResolverScenario] = [
    zenodo, zenodoConcept, dataverse, figshare, cern, invenio, contentURL,
  ]

  static let zenodo = ResolverScenario(
    name: "zenodo shape A", identifier: "https://doi.org/10.5281/zenodo.1234567", hint: .zenodo,
    routes: [
      "/api/handles/10.5281/zenodo.1234567?type=URL": handle("{BASE}/doi/10.5281/zenodo.1234567"),
      "/dois/10.5281/zenodo.1234567": dataCite,
      "/api/records/1234567": Route(body: ReferenceBodies.zenodoA.rehosted("{BASE}")),
    ],
    expectedRequests: [
      "/api/handles/10.5281/zenodo.1234567?type=URL", "/dois/10.5281/zenodo.1234567",
      "/api/records/1234567",
    ],
    repository: .zenodo,
    expectedFiles: [
      (
        "hello.txt", "{BASE}/api/records/1234567/files/hello.txt/content", 6,
        [FixtureDigest.helloMD5]
      ),
      (
        "tables/a b.csv", "{BASE}/api/records/1234567/files/tables/a%20b.csv/content", 8,
        [FixtureDigest.tableMD5]
      ),
    ], expectedTitle: "Example dataset", expectedVersion: "1.0")

  /// A concept DOI: the record call redirects to the latest version; DataCite is down, so the
  /// metadata comes from the record.
  static let zenodoConcept = ResolverScenario(
    name: "zenodo concept id", identifier: "10.5281/zenodo.1234566", hint: .zenodo,
    routes: [
      "/api/handles/10.5281/zenodo.1234566?type=URL": handle("{BASE}/records/1234566"),
      "/dois/10.5281/zenodo.1234566": Route(status: 503, body: "{}"),
      "/api/records/1234566": Route(
        status: 302, body: "", headers: [("Location", "{BASE}/api/records/1234567")]),
      "/api/records/1234567": Route(body: ReferenceBodies.zenodoC.rehosted("{BASE}")),
    ],
    expectedRequests: [
      "/api/handles/10.5281/zenodo.1234566?type=URL", "/dois/10.5281/zenodo.1234566",
      "/api/records/1234566", "/api/records/1234567",
    ],
    repository: .zenodo,
    expectedFiles: [
      (
        "hello.txt", "{BASE}/api/records/1234567/files/hello.txt/content", 6,
        [FixtureDigest.helloMD5]
      )
    ], expectedTitle: nil, expectedVersion: nil)

  /// Recognised by `persistentId` in the landing URL, tabular file listed as its original.
  static let dataverse = ResolverScenario(
    name: "dataverse", identifier: "doi:10.5072/FK2/J8SJZB", hint: nil,
    routes: [
      "/api/handles/10.5072/FK2/J8SJZB?type=URL": handle(
        "{BASE}/citation?persistentId=doi:10.5072/FK2/J8SJZB"),
      "/dois/10.5072/FK2/J8SJZB": Route(
        status: 404,
        body:
          #"{"errors":[{"status":"404","title":"The resource you are looking for doesn't exist."}]}"#
      ),
      "/api/datasets/:persistentId/?persistentId=doi:10.5072/FK2/J8SJZB": Route(
        body: ReferenceBodies.dataverse),
    ],
    expectedRequests: [
      "/api/handles/10.5072/FK2/J8SJZB?type=URL", "/dois/10.5072/FK2/J8SJZB",
      "/api/datasets/:persistentId/?persistentId=doi:10.5072/FK2/J8SJZB",
    ],
    repository: .dataverse,
    expectedFiles: [
      ("docs/hello.txt", "{BASE}/api/access/datafile/42", 6, [FixtureDigest.helloMD5]),
      ("table.csv", "{BASE}/api/access/datafile/43?format=original", 8, [FixtureDigest.tableMD5]),
    ], expectedTitle: nil, expectedVersion: "1.0")

  /// Recognised by the DOI prefix; the article and version come from the DOI.
  static let figshare = ResolverScenario(
    name: "figshare", identifier: "10.6084/m9.figshare.14763051.v1", hint: nil,
    routes: [
      "/api/handles/10.6084/m9.figshare.14763051.v1?type=URL": handle(
        "{BASE}/articles/dataset/Example_dataset/14763051"),
      "/dois/10.6084/m9.figshare.14763051.v1": dataCite,
      "/v2/articles/14763051/versions/1": Route(
        body:
          #"{"id": 14763051, "title": "Example dataset", "version": 1, "folder_structure": {"3000002": "Test Folder"}}"#
      ),
      "/v2/articles/14763051/versions/1/files?page=1&page_size=1000": Route(
        body: ReferenceBodies.figshareFiles),
    ],
    expectedRequests: [
      "/api/handles/10.6084/m9.figshare.14763051.v1?type=URL",
      "/dois/10.6084/m9.figshare.14763051.v1", "/v2/articles/14763051/versions/1",
      "/v2/articles/14763051/versions/1/files?page=1&page_size=1000",
    ],
    repository: .figshare,
    expectedFiles: [
      (
        "Test Folder/hello.txt", "https://ndownloader.figshare.com/files/3000002", 6,
        [FixtureDigest.helloMD5]
      )
    ], expectedTitle: "Example dataset", expectedVersion: "1.0")

  static let cern = ResolverScenario(
    name: "cern open data", identifier: "10.7483/OPENDATA.CMS.XXXX.YYYY", hint: nil,
    routes: [
      "/api/handles/10.7483/OPENDATA.CMS.XXXX.YYYY?type=URL": handle("{BASE}/record/5500"),
      "/api/records/5500": Route(body: ReferenceBodies.cern),
    ],
    expectedRequests: [
      "/api/handles/10.7483/OPENDATA.CMS.XXXX.YYYY?type=URL",
      "/dois/10.7483/OPENDATA.CMS.XXXX.YYYY", "/api/records/5500",
    ],
    repository: .cernOpenData,
    expectedFiles: [
      (
        "cms/software/Example/hello.txt", "{BASE}/eos/opendata/cms/software/Example/hello.txt", 6,
        [FixtureDigest.helloAdler]
      ),
      (
        "cms/Run2010B/Example/table.csv", "{BASE}/eos/opendata/cms/Run2010B/Example/table.csv", 8,
        [FixtureDigest.tableAdler]
      ),
    ], expectedTitle: "Example analysis code", expectedVersion: nil)

  /// An unknown host: the Dataverse probe fails, the landing page's signposting linkset leads to
  /// a native record whose files come from `/files`.
  static let invenio = ResolverScenario(
    name: "invenio via linkset", identifier: "10.1234/rdm.abc", hint: nil,
    routes: [
      "/api/handles/10.1234/rdm.abc?type=URL": handle("{BASE}/landing/abc"),
      "/landing/abc": Route(
        body: "<html></html>", contentType: "text/html",
        headers: [
          (
            "Link",
            #"<{BASE}/landing/abc> ; rel="collection" ; type="text/html" , <{BASE}/api/records/abc> ; rel="linkset" ; type="application/linkset+json""#
          )
        ]),
      "/api/records/abc": Route(
        body:
          #"{"id": "abc", "links": {"self": "{BASE}/api/records/abc", "files": "{BASE}/api/records/abc/files"}, "metadata": {"title": "RDM record"}, "files": {"enabled": true}}"#
      ),
      "/api/records/abc/files": Route(
        body: ReferenceBodies.zenodoB.rehosted("{BASE}").replacingOccurrences(
          of: "1234567", with: "abc")),
    ],
    expectedRequests: [
      "/api/handles/10.1234/rdm.abc?type=URL", "/dois/10.1234/rdm.abc",
      "/api/datasets/:persistentId/?persistentId=doi:10.1234/rdm.abc", "/landing/abc",
      "/api/records/abc", "/api/records/abc/files",
    ],
    repository: .invenio,
    expectedFiles: [
      (
        "tables/a b.csv", "{BASE}/api/records/abc/files/tables%2Fa%20b.csv/content", 8,
        [FixtureDigest.tableMD5]
      )
    ], expectedTitle: "RDM record", expectedVersion: nil)

  /// Nothing to probe: DataCite's `contentUrl` is the listing.
  static let contentURL = ResolverScenario(
    name: "datacite contentUrl", identifier: "10.1234/plain", hint: nil,
    routes: [
      "/api/handles/10.1234/plain?type=URL": handle("{BASE}/about/plain"),
      "/dois/10.1234/plain": Route(
        body: ReferenceBodies.dataCiteREST.replacingOccurrences(
          of: #""contentUrl": null"#, with: #""contentUrl": ["{BASE}/data/plain.csv"]"#)),
    ],
    expectedRequests: [
      "/api/handles/10.1234/plain?type=URL", "/dois/10.1234/plain",
      "/api/datasets/:persistentId/?persistentId=doi:10.1234/plain", "/about/plain",
    ],
    repository: .datacite,
    expectedFiles: [("plain.csv", "{BASE}/data/plain.csv", nil, [])],
    expectedTitle: "Example dataset", expectedVersion: "1.0")
}
