public import FairflowCore
public import Fetch
internal import FairflowBase
public import Foundation

/// A remote named in fairflow.yaml, opened: its storage and the settings of its transfers.
public struct Remote: Sendable {
  public let name: String
  public let storage: any RemoteStorage
  /// Parallel transfers.
  public let jobs: Int
  /// Attempts per object when a transfer breaks off after making progress (it resumes).
  public let attempts: Int
  /// The HTTP transport to shut down when done (WebDAV only).
  let transport: NetworkTransport?

  public static let defaultJobs = 8

  /// Where the remote is: a directory (absolute, `file://`, or relative to the workspace) or
  /// an http(s) URL.
  public enum Location: Sendable, Equatable {
    case directory(String)
    case webdav(URL)

    public init(_ url: String, workspace: String) throws(RemoteError) {
      if url.lowercased().hasPrefix("http://") || url.lowercased().hasPrefix("https://") {
        guard let parsed = URL(string: url), parsed.host != nil else {
          throw RemoteError("'\(url)' is not a valid URL", exitStatus: .invalidInput)
        }
        self = .webdav(parsed)
      } else if url.lowercased().hasPrefix("file://") {
        let path = String(url.dropFirst(7))
        self = .directory(path.removingPercentEncoding ?? path)
      } else {
        self = .directory(url.hasPrefix("/") ? url : workspace + "/" + url)
      }
    }

    public var kind: String {
      switch self {
      case .directory: "directory"
      case .webdav: "webdav"
      }
    }
  }

  /// Opens `remote`; `policy` overrides the request policy (tests shrink waits).
  public static func open(
    _ remote: WorkspaceConfig.Remote, workspace: String, environment: [String: String],
    jobs override: Int? = nil, policy: RequestPolicy? = nil
  ) throws(RemoteError) -> Remote {
    if let (problem, hint) = WorkspaceConfig.problem(withURL: remote.url, remote: remote.name) {
      throw RemoteError(problem, hint: hint, exitStatus: .invalidInput)
    }
    let jobs = override ?? remote.jobs ?? defaultJobs
    let attempts = remote.retries ?? 5
    switch try Location(remote.url, workspace: workspace) {
    case .directory(let path):
      return Remote(
        name: remote.name, storage: DirectoryStorage(name: remote.name, root: path), jobs: jobs,
        attempts: attempts, transport: nil)
    case .webdav(let url):
      let timeout = Double(remote.timeout ?? 60)
      let transport = NetworkTransport(
        connectTimeout: min(timeout, 30), idleTimeout: timeout, connectionsPerHost: jobs)
      var requestPolicy = policy ?? RequestPolicy()
      requestPolicy.timeout = timeout
      requestPolicy.maxAttempts = attempts
      let client = WebClient(transport: transport, policy: requestPolicy)
      let credentials = RemoteCredentials.resolve(
        remote: remote.name, host: url.host ?? "", environment: environment)
      return Remote(
        name: remote.name,
        storage: WebDAVStorage(
          name: remote.name, base: url, client: client, credentials: credentials),
        jobs: jobs, attempts: attempts, transport: transport)
    }
  }

  /// Releases the connection pool.
  public func close() async {
    try? await transport?.shutdown()
  }
}
