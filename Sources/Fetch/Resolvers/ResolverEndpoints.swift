public import Foundation

/// Where the resolvers send their first requests, and which hosts are which repository.
///
/// Every base URL is configurable for mirrors and tests (doi-apis.md §15: never hard-code hosts).
/// Repository APIs themselves are reached on the host of the URL a DOI resolved to, so a DOI that
/// resolves to `http://127.0.0.1:8080/records/1` makes the Zenodo resolver call
/// `http://127.0.0.1:8080/api/records/1`.
public struct ResolverEndpoints: Sendable, Equatable {
  /// The doi.org proxy; the Handle REST API is `<doiProxy>/api/handles/<doi>`.
  public var doiProxy: URL
  /// The DataCite REST API; metadata and `contentUrl` come from `<dataCiteAPI>/dois/<doi>`.
  public var dataCiteAPI: URL
  /// Resolves `minid:`/`ark:/57799/` identifiers: `<minidResolver>/<identifier>`.
  public var minidResolver: URL
  /// Figshare's API host (landing pages live on figshare.com or an institutional portal, the API
  /// does not): `<figshareAPI>/v2/articles?doi=…`.
  public var figshareAPI: URL
  /// Hosts whose repository is known without probing, keyed by `host` or `host:port`
  /// (`host:port` wins). Tests map `127.0.0.1:<port>` to the kind the mock serves.
  public var repositoryHosts: [String: RepositoryKind]
  /// Also ask DataCite for citation metadata (one request per DOI; its failure never fails a
  /// resolution).
  public var fetchDataCiteMetadata: Bool

  public init(
    doiProxy: URL = URL(string: "https://doi.org")!,
    dataCiteAPI: URL = URL(string: "https://api.datacite.org")!,
    minidResolver: URL = URL(string: "https://identifiers.fair-research.org")!,
    figshareAPI: URL = URL(string: "https://api.figshare.com")!,
    repositoryHosts: [String: RepositoryKind] = ResolverEndpoints.defaultRepositoryHosts,
    fetchDataCiteMetadata: Bool = true
  ) {
    self.doiProxy = doiProxy
    self.dataCiteAPI = dataCiteAPI
    self.minidResolver = minidResolver
    self.figshareAPI = figshareAPI
    self.repositoryHosts = repositoryHosts
    self.fetchDataCiteMetadata = fetchDataCiteMetadata
  }

  /// Points every service at one base URL (a loopback mock server), with `hosts` as the
  /// repository hints.
  public static func allAt(
    _ base: URL, repositoryHosts: [String: RepositoryKind] = [:]
  ) -> ResolverEndpoints {
    ResolverEndpoints(
      doiProxy: base, dataCiteAPI: base, minidResolver: base, figshareAPI: base,
      repositoryHosts: repositoryHosts)
  }

  /// Zenodo, its sandbox, CERN Open Data and Figshare; other InvenioRDM instances and Dataverse
  /// installations are recognised by probing.
  public static let defaultRepositoryHosts: [String: RepositoryKind] = [
    "zenodo.org": .zenodo, "sandbox.zenodo.org": .zenodo, "opendata.cern.ch": .cernOpenData,
    "figshare.com": .figshare,
  ]

  /// The hosts treated as Zenodo.
  public var zenodoHosts: Set<String> { Set(repositoryHosts.filter { $0.value == .zenodo }.keys) }

  /// The repository configured for `url`'s `host:port` or host (or a parent domain of it, so
  /// `www.zenodo.org` and `ndownloader.figshare.com` count), nil when probing must decide.
  public func repository(for url: URL) -> RepositoryKind? {
    guard let host = url.host?.lowercased() else { return nil }
    if let port = url.port, let kind = repositoryHosts["\(host):\(port)"] { return kind }
    var candidate = host
    while true {
      if let kind = repositoryHosts[candidate] { return kind }
      guard let dot = candidate.firstIndex(of: ".") else { return nil }
      candidate = String(candidate[candidate.index(after: dot)...])
    }
  }
}
