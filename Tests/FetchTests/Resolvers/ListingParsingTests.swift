import Foundation
import Testing

@testable import Fetch

/// The resolvers' readers on the exact example bodies of doi-apis.md.
@Suite struct ListingParsingTests {
  let api = URL(string: "https://zenodo.org/api/records/1234567")!

  private func json(_ text: String) throws -> ResolverJSON {
    try ResolverJSON.parse(Array(text.utf8), from: api)
  }

  // MARK: Handle API

  @Test func handleResponseCode1() throws {
    let doi = try DOI.parse("10.5281/zenodo.1234567")
    let record = try HandleRecord.parse(
      Array(ReferenceBodies.handle.utf8), status: 200, doi: doi, from: api)
    #expect(record.url.absoluteString == "https://zenodo.org/doi/10.5281/zenodo.1234567")
    #expect(record.timestamp == "2024-01-02T03:04:05Z")
  }

  @Test func handleSkipsAdminValues() throws {
    let record = try HandleRecord.parse(
      Array(DescribedBodies.handleWithAdmin.utf8), status: 200, doi: try DOI.parse("10.1000/182"),
      from: api)
    #expect(record.url.absoluteString == "https://example.org/x")
    #expect(record.timestamp == "2020-01-01T00:00:00Z")
  }

  @Test func handleResponseCode100IsNotFound() throws {
    let doi = try DOI.parse("10.5281/zenodo.0")
    #expect(
      throws: FetchError.notFound(identifier: "10.5281/zenodo.0", detail: "doi.org has no such DOI")
    ) {
      try HandleRecord.parse(
        Array(DescribedBodies.handleNotFound.utf8), status: 404, doi: doi, from: api)
    }
  }

  @Test func handleResponseCode200HasNoURL() throws {
    let doi = try DOI.parse("10.5281/zenodo.1234567")
    #expect(
      throws: FetchError.notFound(
        identifier: "10.5281/zenodo.1234567", detail: "the handle has no URL value to resolve to")
    ) {
      try HandleRecord.parse(
        Array(DescribedBodies.handleNoURL.utf8), status: 200, doi: doi, from: api)
    }
  }

  @Test func handleRefusesNonHTTPValues() throws {
    let body = ReferenceBodies.handle.replacingOccurrences(
      of: "https://zenodo.org/doi/10.5281/zenodo.1234567", with: "file:///etc/passwd")
    #expect(throws: FetchError.insecureURL("file:///etc/passwd")) {
      try HandleRecord.parse(
        Array(body.utf8), status: 200, doi: try DOI.parse("10.5281/zenodo.1234567"), from: api)
    }
  }

  // MARK: DataCite

  @Test func dataCiteRESTMetadata() throws {
    let record = try DataCiteRecord.parse(Array(ReferenceBodies.dataCiteREST.utf8), from: api)
    #expect(
      record.metadata
        == DatasetMetadata(
          title: "Example dataset", creators: ["Doe, Jane"], license: "cc-by-4.0",
          version: "1.0", publicationYear: "2024", publisher: "Zenodo"))
    #expect(record.contentURLs.isEmpty)
    #expect(record.landingURL?.absoluteString == "https://zenodo.org/doi/10.5281/zenodo.1234567")
    #expect(record.resourceTypeGeneral == "Dataset")
  }

  /// `publicationYear` is a string in DataCite JSON and a number in the REST API.
  @Test func dataCiteJSONHasStringYear() throws {
    let record = try DataCiteRecord.parse(Array(ReferenceBodies.dataCiteJSON.utf8), from: api)
    #expect(record.metadata.publicationYear == "2024")
    #expect(record.metadata.license == "cc-by-4.0")
    #expect(record.metadata.version == nil)
  }

  @Test func dataCiteContentURLAsArrayOrString() throws {
    let array = ReferenceBodies.dataCiteREST.replacingOccurrences(
      of: #""contentUrl": null"#,
      with: #""contentUrl": ["https://data.example.org/a.csv", "https://data.example.org/b.csv"]"#)
    #expect(
      try DataCiteRecord.parse(Array(array.utf8), from: api).contentURLs.map(\.absoluteString)
        == ["https://data.example.org/a.csv", "https://data.example.org/b.csv"])
    let string = ReferenceBodies.dataCiteREST.replacingOccurrences(
      of: #""contentUrl": null"#, with: #""contentUrl": "https://data.example.org/a.csv""#)
    #expect(
      try DataCiteRecord.parse(Array(string.utf8), from: api).contentURLs.map(\.absoluteString)
        == ["https://data.example.org/a.csv"])
  }

  // MARK: Zenodo / InvenioRDM

  @Test func zenodoShapeA() throws {
    let listing = try InvenioListing.parseRecord(try json(ReferenceBodies.zenodoA), recordURL: api)
    #expect(
      listing.files == [
        RemoteFile(
          path: "hello.txt",
          url: URL(string: "https://zenodo.org/api/records/1234567/files/hello.txt/content")!,
          size: 6, checksums: [FixtureDigest.helloMD5]),
        RemoteFile(
          path: "tables/a b.csv",
          url: URL(
            string: "https://zenodo.org/api/records/1234567/files/tables/a%20b.csv/content")!,
          size: 8, checksums: [FixtureDigest.tableMD5]),
      ])
    #expect(listing.fileListURL == nil)
    #expect(listing.metadata.title == "Example dataset")
    #expect(listing.metadata.license == "cc-by-4.0")
    #expect(listing.metadata.publicationYear == "2024")
  }

  /// Before zenodo/zenodo-rdm#1328 spaces in `links.self` came raw.
  @Test func zenodoShapeAWithRawSpaces() throws {
    let raw = ReferenceBodies.zenodoA.replacingOccurrences(of: "a%20b.csv", with: "a b.csv")
    let listing = try InvenioListing.parseRecord(try json(raw), recordURL: api)
    #expect(
      listing.files[1].url.absoluteString
        == "https://zenodo.org/api/records/1234567/files/tables/a%20b.csv/content")
  }

  @Test func zenodoShapeB() throws {
    let files = try InvenioListing.parseFileList(try json(ReferenceBodies.zenodoB), recordURL: api)
    #expect(
      files == [
        RemoteFile(
          path: "tables/a b.csv",
          url: URL(
            string: "https://zenodo.org/api/records/1234567/files/tables%2Fa%20b.csv/content")!,
          size: 8, checksums: [FixtureDigest.tableMD5])
      ])
  }

  @Test func zenodoShapeCBareHex() throws {
    let listing = try InvenioListing.parseRecord(try json(ReferenceBodies.zenodoC), recordURL: api)
    #expect(
      listing.files == [
        RemoteFile(
          path: "hello.txt",
          url: URL(string: "https://zenodo.org/api/records/1234567/files/hello.txt/content")!,
          size: 6, checksums: [FixtureDigest.helloMD5])
      ])
  }

  /// Shape D's `/api/files/<bucket>/<key>` links no longer work: the content URL is built.
  @Test func zenodoShapeDBuildsTheContentURL() throws {
    let listing = try InvenioListing.parseRecord(try json(DescribedBodies.zenodoD), recordURL: api)
    #expect(
      listing.files.map(\.url.absoluteString)
        == ["https://zenodo.org/api/records/1234567/files/hello.txt/content"])
    #expect(listing.files.first?.checksums == [FixtureDigest.helloMD5])
    #expect(listing.metadata.creators == ["Doe, Jane"])
  }

  @Test func nativeRecordWithEntriesDictionary() throws {
    let body = #"""
      {"id": "cbc2k-q9x58", "links": {"self": "https://rdm.example.org/api/records/cbc2k-q9x58"},
       "metadata": {"title": "Native", "creators": [{"person_or_org": {"name": "Roe, Ann"}}],
                    "rights": [{"id": "cc0-1.0"}], "publisher": "Example RDM",
                    "publication_date": "2025-03-04"},
       "files": {"enabled": true, "order": ["z.txt"], "count": 2,
                 "entries": {"a.txt": {"key": "a.txt", "size": 6, "checksum": "md5:b1946ac92492d2347c6235b4d2611184",
                                       "links": {"content": "https://rdm.example.org/api/records/cbc2k-q9x58/files/a.txt/content"}},
                             "z.txt": {"size": 8, "checksum": "md5:e5ebd4c02cefbe7955977c67ada242b7"}}}}
      """#
    let record = URL(string: "https://rdm.example.org/api/records/cbc2k-q9x58")!
    let listing = try InvenioListing.parseRecord(try json(body), recordURL: record)
    #expect(listing.files.map(\.path) == ["z.txt", "a.txt"])
    #expect(
      listing.files.map(\.url.absoluteString) == [
        "https://rdm.example.org/api/records/cbc2k-q9x58/files/z.txt/content",
        "https://rdm.example.org/api/records/cbc2k-q9x58/files/a.txt/content",
      ])
    #expect(
      listing.metadata
        == DatasetMetadata(
          title: "Native", creators: ["Roe, Ann"], license: "cc0-1.0", publicationYear: "2025",
          publisher: "Example RDM"))
  }

  @Test func nativeRecordWithoutEntriesAsksForTheList() throws {
    let body =
      #"{"id": "x1", "links": {"self": "s", "files": "https://rdm.example.org/api/records/x1/files"}, "files": {"enabled": true}}"#
    let listing = try InvenioListing.parseRecord(try json(body), recordURL: api)
    #expect(listing.files.isEmpty)
    #expect(listing.fileListURL?.absoluteString == "https://rdm.example.org/api/records/x1/files")
  }

  /// A restricted record: public metadata, no `files` (zenodo_get crashed on this).
  @Test func restrictedRecordListsNoFiles() throws {
    var object = try json(ReferenceBodies.zenodoA).object!
    object["files"] = nil
    let listing = try InvenioListing.parseRecord(.object(object), recordURL: api)
    #expect(listing.files.isEmpty)
    #expect(listing.fileListURL == nil)
    #expect(listing.metadata.title == "Example dataset")
  }

  @Test func zenodoKeyEscapingTheDestinationIsAnError() throws {
    let body = ReferenceBodies.zenodoA.replacingOccurrences(
      of: #""key": "hello.txt""#, with: #""key": "../x""#)
    #expect(throws: FetchError.unsafePath("../x")) {
      try InvenioListing.parseRecord(try json(body), recordURL: api)
    }
  }

  // MARK: Figshare

  @Test func figshareSearchAndFiles() throws {
    let doi = try DOI.parse("10.6084/m9.figshare.14763051.v1")
    let id = try FigshareListing.articleID(
      fromSearch: try json(ReferenceBodies.figshareSearch), doi: doi, url: api)
    #expect(id == "14763051")
    let files = try FigshareListing.files(
      try json(ReferenceBodies.figshareFiles), folders: ["3000002": "Test Folder"], url: api)
    #expect(
      files == [
        RemoteFile(
          path: "Test Folder/hello.txt",
          url: URL(string: "https://ndownloader.figshare.com/files/3000002")!, size: 6,
          checksums: [FixtureDigest.helloMD5])
      ])
  }

  @Test func figshareArticleFromDOI() throws {
    let versioned = FigshareListing.articleID(
      fromDOI: try DOI.parse("10.6084/m9.figshare.14763051.v2"))
    #expect(versioned?.id == "14763051")
    #expect(versioned?.version == "2")
    #expect(
      FigshareListing.articleID(fromDOI: try DOI.parse("10.6084/m9.figshare.c.4362224.v1")) == nil)
  }

  @Test func figshareCollectionSearchIsNotFound() throws {
    let doi = try DOI.parse("10.6084/m9.figshare.c.4362224.v1")
    #expect(
      throws: FetchError.notFound(
        identifier: "10.6084/m9.figshare.c.4362224.v1", detail: "a collection, not an article")
    ) {
      try FigshareListing.articleID(fromSearch: try json("[]"), doi: doi, url: api)
    }
  }

  @Test func figshareLinkOnlyFileHasNoChecksum() throws {
    let body = ReferenceBodies.figshareFiles
      .replacingOccurrences(of: #""is_link_only": false"#, with: #""is_link_only": true"#)
      .replacingOccurrences(of: "b1946ac92492d2347c6235b4d2611184", with: "")
    let files = try FigshareListing.files(try json(body), folders: [:], url: api)
    #expect(files.map(\.path) == ["hello.txt"])
    #expect(files[0].checksums.isEmpty)
  }

  // MARK: Dataverse

  @Test func dataverseWithTabularIngest() throws {
    let (files, metadata) = try DataverseListing.parse(
      try json(ReferenceBodies.dataverse), origin: "https://demo.dataverse.org", url: api)
    #expect(
      files == [
        RemoteFile(
          path: "docs/hello.txt",
          url: URL(string: "https://demo.dataverse.org/api/access/datafile/42")!, size: 6,
          checksums: [FixtureDigest.helloMD5]),
        // The original upload, not the 9-byte archival .tab: its checksum is the one published.
        RemoteFile(
          path: "table.csv",
          url: URL(string: "https://demo.dataverse.org/api/access/datafile/43?format=original")!,
          size: 8, checksums: [FixtureDigest.tableMD5]),
      ])
    #expect(metadata.license == "CC0 1.0")
    #expect(metadata.version == "1.0")
    #expect(metadata.publisher == "Demo Dataverse")
    #expect(metadata.publicationYear == "2024")
  }

  @Test func dataverseSHA256Installation() throws {
    let body = ReferenceBodies.dataverse
      .replacingOccurrences(of: #""md5": "b1946ac92492d2347c6235b4d2611184","#, with: "")
      .replacingOccurrences(
        of: #"{"type": "MD5", "value": "b1946ac92492d2347c6235b4d2611184"}"#,
        with: #"{"type": "SHA-256", "value": "\#(FixtureDigest.helloSHA256.hex.uppercased())"}"#)
    let (files, _) = try DataverseListing.parse(
      try json(body), origin: "https://demo.dataverse.org", url: api)
    #expect(files[0].checksums == [FixtureDigest.helloSHA256])
  }

  @Test func dataverseDirectoryLabelEscapingIsAnError() throws {
    let body = ReferenceBodies.dataverse.replacingOccurrences(
      of: #""directoryLabel": "docs""#, with: #""directoryLabel": "../../etc""#)
    #expect(throws: FetchError.unsafePath("../../etc/hello.txt")) {
      try DataverseListing.parse(try json(body), origin: "https://demo.dataverse.org", url: api)
    }
  }

  @Test func dataverseErrorBody() throws {
    let body =
      #"{"status":"ERROR","message":"Dataset with Persistent ID doi:10.5072/X not found."}"#
    #expect(
      throws: FetchError.malformedResponse(
        url: api.absoluteString, detail: "Dataset with Persistent ID doi:10.5072/X not found.")
    ) {
      try DataverseListing.parse(try json(body), origin: "https://x", url: api)
    }
  }

  // MARK: CERN Open Data

  @Test func cernRecordWithFileIndex() throws {
    let (files, metadata) = try CERNOpenDataListing.parse(
      try json(ReferenceBodies.cern), origin: "https://opendata.cern.ch", url: api)
    #expect(
      files == [
        RemoteFile(
          path: "cms/software/Example/hello.txt",
          url: URL(string: "https://opendata.cern.ch/eos/opendata/cms/software/Example/hello.txt")!,
          size: 6, checksums: [FixtureDigest.helloAdler]),
        RemoteFile(
          path: "cms/Run2010B/Example/table.csv",
          url: URL(string: "https://opendata.cern.ch/eos/opendata/cms/Run2010B/Example/table.csv")!,
          size: 8, checksums: [FixtureDigest.tableAdler]),
      ])
    #expect(metadata.title == "Example analysis code")
  }

  /// Bare and unpadded Adler-32 values (cernopendata-client#169).
  @Test func cernChecksumsArePadded() throws {
    let body = ReferenceBodies.cern.replacingOccurrences(
      of: "adler32:084b021f", with: "84B021F")
    let (files, _) = try CERNOpenDataListing.parse(
      try json(body), origin: "https://opendata.cern.ch", url: api)
    #expect(files[0].checksums == [FixtureDigest.helloAdler])
  }

  // MARK: minid and checksums

  @Test(arguments: [DescribedBodies.minidLocations, DescribedBodies.minidLocation])
  func minidBothFormats(body: String) throws {
    let (file, _) = try MinidRecord.parse(try json(body), identifier: "minid:b9xxxx", url: api)
    #expect(file.path == "hello.txt")
    #expect(file.url.absoluteString == "https://repo.example.org/hello.txt")
    #expect(file.checksums == [FixtureDigest.helloSHA256])
  }

  @Test func checksumNormalisation() throws {
    #expect(
      try ListingChecksum.parse(
        "MD5:B1946AC92492D2347C6235B4D2611184", defaultAlgorithm: .sha256, file: "f")
        == FixtureDigest.helloMD5)
    #expect(try ListingChecksum.parse("", defaultAlgorithm: .md5, file: "f") == nil)
    #expect(ListingChecksum.algorithm(named: "SHA-512") == .sha512)
    #expect(
      throws: FetchError.malformedResponse(
        url: "f", detail: "checksum \"abc\" is not a valid digest")
    ) {
      try ListingChecksum.parse("abc", defaultAlgorithm: .md5, file: "f")
    }
    #expect(throws: FetchError.self) {
      try ListingChecksum.parse(
        "md5:zz46ac92492d2347c6235b4d2611184", defaultAlgorithm: .md5, file: "f")
    }
  }

  @Test func conflictingPathsAreUnsafe() {
    #expect(throws: FetchError.unsafePath("A.txt (same as a.txt ignoring case)")) {
      try ListingPath.checkNoConflicts(["a.txt", "A.txt"])
    }
    #expect(throws: FetchError.unsafePath("a/b (a is a file, not a folder)")) {
      try ListingPath.checkNoConflicts(["a", "a/b"])
    }
    #expect(throws: Never.self) { try ListingPath.checkNoConflicts(["a/b", "a/c", "b"]) }
  }
}
