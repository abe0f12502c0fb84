public import Foundation
internal import FairflowCore

/// Where a WebDAV remote's credentials come from: the environment or `~/.netrc`, never
/// fairflow.yaml, lock files, provenance or logs. In order:
///
/// 1. `FAIRFLOW_REMOTE_<NAME>_TOKEN` → `Authorization: Bearer <token>` (CERNBox/ownCloud app
///    tokens, dCache macaroons);
/// 2. `FAIRFLOW_REMOTE_<NAME>_USER` and `FAIRFLOW_REMOTE_<NAME>_PASSWORD` → HTTP Basic;
/// 3. the `.netrc` entry of the remote's host (`$NETRC`, else `~/.netrc`) → HTTP Basic.
///
/// `source` says which one was used, for messages; the secret itself is only in `header`.
public struct RemoteCredentials: Sendable {
  public var header: String?
  public var source: String

  public static let none = RemoteCredentials(header: nil, source: "no credentials")

  public init(header: String?, source: String) {
    self.header = header
    self.source = source
  }

  public static func resolve(
    remote: String, host: String, environment: [String: String]
  ) -> RemoteCredentials {
    let prefix = "FAIRFLOW_REMOTE_" + WorkspaceConfig.environmentName(remote)
    if let token = environment[prefix + "_TOKEN"], !token.isEmpty {
      return RemoteCredentials(header: "Bearer " + token, source: "\(prefix)_TOKEN")
    }
    if let user = environment[prefix + "_USER"], let password = environment[prefix + "_PASSWORD"] {
      return RemoteCredentials(
        header: basic(user, password), source: "\(prefix)_USER and \(prefix)_PASSWORD")
    }
    let file =
      environment["NETRC"]
      ?? (environment["HOME"].map { $0 + "/.netrc" } ?? NSHomeDirectory() + "/.netrc")
    if let text = try? String(contentsOfFile: file, encoding: .utf8),
      let (login, password) = Netrc(text).credentials(for: host)
    {
      return RemoteCredentials(header: basic(login, password), source: "\(file) (machine \(host))")
    }
    return .none
  }

  /// What to set, for hints.
  public static func advice(remote: String, host: String) -> String {
    let prefix = "FAIRFLOW_REMOTE_" + WorkspaceConfig.environmentName(remote)
    return "set \(prefix)_TOKEN, or \(prefix)_USER and \(prefix)_PASSWORD, "
      + "or add `machine \(host) login … password …` to ~/.netrc"
  }

  static func basic(_ user: String, _ password: String) -> String {
    "Basic " + Data((user + ":" + password).utf8).base64EncodedString()
  }
}
