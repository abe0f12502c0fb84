public import Fetch
internal import Foundation

/// Resolver base URLs from the environment, so mirrors and tests can redirect every request:
/// `FAIRFLOW_DOI_RESOLVER` (https://doi.org), `FAIRFLOW_DATACITE_API` (https://api.datacite.org),
/// `FAIRFLOW_MINID_RESOLVER`, `FAIRFLOW_FIGSHARE_API`, and `FAIRFLOW_REPOSITORY_HOSTS`
/// (`host[:port]=kind,…` with kind zenodo, invenio, figshare, dataverse, cern-opendata, added to
/// the built-in table) for mirrors whose host does not tell what they speak.
public enum FetchConfiguration {
  public static func endpoints(_ environment: [String: String]) throws(FetchError)
    -> ResolverEndpoints
  {
    var endpoints = ResolverEndpoints()
    func url(_ name: String) throws(FetchError) -> URL? {
      guard let text = environment[name], !text.isEmpty else { return nil }
      guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http" else {
        throw FetchError.unsupportedIdentifier("\(name)=\(text) (not an http(s) URL)")
      }
      return url
    }
    if let u = try url("FAIRFLOW_DOI_RESOLVER") { endpoints.doiProxy = u }
    if let u = try url("FAIRFLOW_DATACITE_API") { endpoints.dataCiteAPI = u }
    if let u = try url("FAIRFLOW_MINID_RESOLVER") { endpoints.minidResolver = u }
    if let u = try url("FAIRFLOW_FIGSHARE_API") { endpoints.figshareAPI = u }
    for entry in (environment["FAIRFLOW_REPOSITORY_HOSTS"] ?? "").split(separator: ",") {
      let parts = entry.split(separator: "=", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard parts.count == 2, let kind = RepositoryKind(rawValue: parts[1]) else {
        throw FetchError.unsupportedIdentifier(
          "FAIRFLOW_REPOSITORY_HOSTS entry '\(entry)' (write host[:port]=zenodo|invenio|"
            + "figshare|dataverse|cern-opendata)")
      }
      endpoints.repositoryHosts[parts[0].lowercased()] = kind
    }
    return endpoints
  }
}
