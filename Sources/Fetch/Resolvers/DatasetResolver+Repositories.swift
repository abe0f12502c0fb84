internal import Foundation

// The per-repository listing calls (doi-apis.md §5 to §9), each on the host the DOI resolved to.
extension DatasetResolver {
  /// Zenodo or another InvenioRDM: `GET <origin>/api/records/<id>` (a concept id redirects to the
  /// latest version), plus `/files` when the record JSON does not carry the list.
  func listInvenio(_ landing: URL, doi: DOI?, kind: RepositoryKind) async throws -> Listing {
    guard let id = Self.recordID(landing, doi: doi) else {
      throw FetchError.unsupportedIdentifier(
        "\(landing.absoluteString) (no record id in the URL)")
    }
    let url = try ResolverURLs.join(
      ResolverURLs.origin(of: landing), "/api/records/" + ResolverURLs.segment(id))
    return try await listInvenioRecord(at: url, kind: kind)
  }

  func listInvenioRecord(at url: URL, kind: RepositoryKind) async throws -> Listing {
    let answer = try await client.getOK(url)
    let json = try ResolverJSON.parse(answer.body, from: answer.url)
    return try await invenioListing(json, recordURL: answer.url, kind: kind)
  }

  func invenioListing(
    _ json: ResolverJSON, recordURL: URL, kind: RepositoryKind
  ) async throws -> Listing {
    var listing = try InvenioListing.parseRecord(json, recordURL: recordURL)
    if let filesURL = listing.fileListURL {
      try ResolverURLs.requireSecure(filesURL)
      let answer = try await client.getOK(filesURL)
      listing.files = try InvenioListing.parseFileList(
        try ResolverJSON.parse(answer.body, from: answer.url), recordURL: recordURL)
    }
    return Listing(kind: kind, apiURL: recordURL, files: listing.files, metadata: listing.metadata)
  }

  /// `…/records/<id>`, `…/record/<id>`, or Zenodo's `…/doi/10.5281/zenodo.<id>` (the id is the
  /// number, not `zenodo.<id>`); else the number of a `zenodo.<id>` DOI.
  static func recordID(_ landing: URL, doi: DOI?) -> String? {
    let segments = ResolverURLs.segments(landing)
    if let index = segments.lastIndex(where: { $0 == "records" || $0 == "record" }),
      index + 1 < segments.count
    {
      return segments[index + 1]
    }
    if segments.first == "doi", let last = segments.last, last.lowercased().hasPrefix("zenodo.") {
      return String(last.dropFirst("zenodo.".count))
    }
    if let suffix = doi?.suffix, suffix.lowercased().hasPrefix("zenodo.") {
      return String(suffix.dropFirst("zenodo.".count))
    }
    return nil
  }

  /// Figshare: the article from the DOI (`m9.figshare.<id>.v<n>`) or landing URL
  /// (`/articles/<type>/<slug>/<id>[/<n>]`), else `GET /v2/articles?doi=`; then its details and
  /// every page of its files.
  func listFigshare(_ landing: URL, doi: DOI?) async throws -> Listing {
    var article = doi.flatMap(FigshareListing.articleID(fromDOI:)) ?? Self.figshareArticle(landing)
    if article == nil, let doi {
      var search = URLComponents(
        url: try ResolverURLs.join(endpoints.figshareAPI, "/v2/articles"),
        resolvingAgainstBaseURL: false)!
      search.queryItems = [URLQueryItem(name: "doi", value: doi.spelling)]
      let answer = try await client.getOK(search.url!)
      let id = try FigshareListing.articleID(
        fromSearch: try ResolverJSON.parse(answer.body, from: answer.url), doi: doi, url: answer.url
      )
      article = (id, nil)
    }
    guard let article else {
      throw FetchError.unsupportedIdentifier("\(landing.absoluteString) (no Figshare article id)")
    }
    var path = "/v2/articles/" + ResolverURLs.segment(article.id)
    if let version = article.version { path += "/versions/" + ResolverURLs.segment(version) }
    let detailsURL = try ResolverURLs.join(endpoints.figshareAPI, path)
    let details = try await client.getOK(detailsURL)
    let (metadata, folders) = FigshareListing.details(
      try ResolverJSON.parse(details.body, from: details.url))
    var files: [RemoteFile] = []
    for page in 1...1000 {
      let url = try ResolverURLs.join(
        endpoints.figshareAPI, path + "/files?page=\(page)&page_size=\(FigshareListing.pageSize)")
      let answer = try await client.getOK(url)
      let batch = try FigshareListing.files(
        try ResolverJSON.parse(answer.body, from: answer.url), folders: folders, url: answer.url)
      files += batch
      if batch.count < FigshareListing.pageSize { break }
    }
    return Listing(kind: .figshare, apiURL: details.url, files: files, metadata: metadata)
  }

  /// The trailing `<id>` or `<id>/<version>` numbers of a Figshare landing URL.
  static func figshareArticle(_ landing: URL) -> (id: String, version: String?)? {
    let segments = ResolverURLs.segments(landing)
    guard segments.contains("articles") else { return nil }
    let numbers = segments.reversed().prefix { $0.allSatisfy(\.isNumber) && !$0.isEmpty }
    switch numbers.count {
    case 0: return nil
    case 1: return (numbers[numbers.startIndex], nil)
    default: return (numbers[numbers.index(after: numbers.startIndex)], numbers[numbers.startIndex])
    }
  }

  /// Dataverse: `GET <origin>/api/datasets/:persistentId/?persistentId=doi:<DOI>`.
  func listDataverse(_ landing: URL, doi: DOI?) async throws -> Listing {
    let url = try dataverseURL(landing, doi: doi)
    let answer = try await client.getOK(url)
    return try dataverseListing(answer.body, url: answer.url, landing: landing)
  }

  func dataverseURL(_ landing: URL, doi: DOI?) throws -> URL {
    guard
      let persistentID = ResolverURLs.query(landing, "persistentId")
        ?? doi.map({ "doi:" + $0.spelling })
    else { throw FetchError.unsupportedIdentifier("\(landing.absoluteString) (no persistentId)") }
    var components = URLComponents(
      url: try ResolverURLs.join(
        ResolverURLs.origin(of: landing), "/api/datasets/:persistentId/"),
      resolvingAgainstBaseURL: false)!
    components.queryItems = [URLQueryItem(name: "persistentId", value: persistentID)]
    return components.url!
  }

  func dataverseListing(_ body: [UInt8], url: URL, landing: URL) throws -> Listing {
    let (files, metadata) = try DataverseListing.parse(
      try ResolverJSON.parse(body, from: url), origin: ResolverURLs.origin(of: landing), url: url)
    return Listing(kind: .dataverse, apiURL: url, files: files, metadata: metadata)
  }

  /// CERN Open Data: `GET <origin>/api/records/<recid>` (the handle's `http://` becomes https).
  func listCERN(_ landing: URL) async throws -> Listing {
    guard let recid = Self.recordID(landing, doi: nil) else {
      throw FetchError.unsupportedIdentifier("\(landing.absoluteString) (no CERN record id)")
    }
    let origin = ResolverURLs.origin(of: landing)
    let answer = try await client.getOK(
      try ResolverURLs.join(origin, "/api/records/" + ResolverURLs.segment(recid)))
    let (files, metadata) = try CERNOpenDataListing.parse(
      try ResolverJSON.parse(answer.body, from: answer.url), origin: origin, url: answer.url)
    return Listing(kind: .cernOpenData, apiURL: answer.url, files: files, metadata: metadata)
  }

  // MARK: Probes for hosts nobody configured

  /// pooch's probe: the native dataset call answers `{"status":"OK"}` only on Dataverse.
  func probeDataverse(_ landing: URL, doi: DOI?) async throws -> Listing? {
    guard doi != nil || ResolverURLs.query(landing, "persistentId") != nil,
      let url = try? dataverseURL(landing, doi: doi),
      let answer = try? await client.get(url), answer.head.status == 200,
      let json = try? ResolverJSON.parse(answer.body, from: answer.url),
      json["status"]?.string == "OK"
    else { return nil }
    return try dataverseListing(answer.body, url: answer.url, landing: landing)
  }

  /// InvenioRDM: the landing page's `Link: rel="linkset"` target when its JSON has
  /// `links.self`, else `/api/records/<id>` for a `/records/<id>` landing path.
  func probeInvenio(_ landing: URL) async throws -> Listing? {
    var candidates: [URL] = []
    if let page = try? await client.get(landing, accept: "text/html", limit: 8 << 20),
      let header = page.head.header("Link"),
      let linkset = ResolverURLs.linkset(in: header, relativeTo: page.url)
    {
      candidates.append(linkset)
    }
    let segments = ResolverURLs.segments(landing)
    if let index = segments.lastIndex(where: { $0 == "records" || $0 == "record" }),
      index + 1 < segments.count,
      let url = try? ResolverURLs.join(
        ResolverURLs.origin(of: landing),
        "/api/records/" + ResolverURLs.segment(segments[index + 1]))
    {
      candidates.append(url)
    }
    for url in candidates where (try? ResolverURLs.requireSecure(url)) != nil {
      guard let answer = try? await client.get(url), answer.head.status == 200,
        let json = try? ResolverJSON.parse(answer.body, from: answer.url),
        json["links", "self"]?.nonEmpty != nil
      else { continue }
      return try await invenioListing(json, recordURL: answer.url, kind: .invenio)
    }
    return nil
  }
}
