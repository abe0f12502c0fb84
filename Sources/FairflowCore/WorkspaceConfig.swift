internal import FairflowBase
internal import Yams

/// `fairflow.yaml` at the workspace root: settings everyone who clones the workspace shares, so it
/// is committed. Today it names the remotes that `push` and `pull` exchange the cache with
/// (docs/remotes.md):
///
/// ```yaml
/// remotes:
///   team:
///     url: /eos/project/h/hbb/fairflow-cache     # a directory (shared file system)
///   cernbox:
///     url: https://cernbox.cern.ch/remote.php/dav/files/jdoe/cache   # WebDAV
///     jobs: 16          # parallel transfers (default 8)
///     timeout: 60       # seconds without progress before a request fails (default 60)
///     retries: 5        # attempts per request on 5xx, 429 and network failures (default 5)
/// default-remote: team
/// ```
///
/// Credentials never appear here: a URL with a user or password is refused, with a pointer to
/// the environment variables and `~/.netrc` that supply them.
public struct WorkspaceConfig: Sendable, Equatable {
  public struct Remote: Sendable, Equatable {
    public var name: String
    public var url: String
    public var jobs: Int?
    public var timeout: Int?
    public var retries: Int?

    public init(
      name: String, url: String, jobs: Int? = nil, timeout: Int? = nil, retries: Int? = nil
    ) {
      self.name = name
      self.url = url
      self.jobs = jobs
      self.timeout = timeout
      self.retries = retries
    }
  }

  /// In file order.
  public var remotes: [Remote]
  public var defaultRemote: String?

  public init(remotes: [Remote] = [], defaultRemote: String? = nil) {
    self.remotes = remotes
    self.defaultRemote = defaultRemote
  }

  public static let fileName = "fairflow.yaml"

  /// What a remote's settings may be: parallel transfers, seconds of silence, attempts.
  public static let jobsRange = 1...256
  public static let timeoutRange = 1...86_400
  public static let retriesRange = 1...100

  public func remote(named name: String) -> Remote? { remotes.first { $0.name == name } }

  /// A remote's name becomes part of environment variable names (`FAIRFLOW_REMOTE_<NAME>_TOKEN`).
  public static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, isLetter(first) || ("0"..."9").contains(first)
    else { return false }
    return name.count <= 64
      && name.unicodeScalars.allSatisfy {
        isLetter($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
      }
  }

  private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
  }

  /// Why `url` cannot name a remote (nil: it can): credentials, or a scheme fairflow cannot speak.
  public static func problem(withURL url: String, remote name: String) -> (String, hint: String)? {
    let variable = "FAIRFLOW_REMOTE_" + environmentName(name)
    if let scheme = url.firstRange(of: "://").map({ url[..<$0.lowerBound].lowercased() }) {
      guard scheme == "http" || scheme == "https" || scheme == "file" else {
        return (
          "remote '\(name)': \(scheme):// remotes are not supported",
          hint:
            "use a directory (a mounted file system) or an http(s) WebDAV URL; see docs/remotes.md"
        )
      }
      let rest = url[url.firstRange(of: "://")!.upperBound...]
      let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
      if authority.contains("@") {
        return (
          "remote '\(name)': the URL carries credentials, and fairflow.yaml is committed",
          hint:
            "remove them from the URL; set \(variable)_TOKEN, or \(variable)_USER and \(variable)_PASSWORD, or a ~/.netrc entry"
        )
      }
    }
    if url.isEmpty {
      return ("remote '\(name)': the URL is empty", hint: "give a directory or an https URL")
    }
    return nil
  }

  /// `my-team` → `MY_TEAM`.
  public static func environmentName(_ remote: String) -> String {
    String(remote.uppercased().map { $0 == "-" ? "_" : $0 })
  }

  /// The file as `remote add|remove` writes it: stable key order, quoted strings.
  public func encoded() -> String {
    var out =
      "# fairflow workspace configuration: commit it. Credentials never go here (docs/remotes.md).\n"
    if remotes.isEmpty {
      out += "remotes: {}\n"
    } else {
      out += "remotes:\n"
      for remote in remotes {
        out += "  \(remote.name):\n    url: \(Value.quote(remote.url))\n"
        if let jobs = remote.jobs { out += "    jobs: \(jobs)\n" }
        if let timeout = remote.timeout { out += "    timeout: \(timeout)\n" }
        if let retries = remote.retries { out += "    retries: \(retries)\n" }
      }
    }
    if let defaultRemote { out += "default-remote: \(Value.quote(defaultRemote))\n" }
    return out
  }

  /// Parses `fairflow.yaml`; errors carry file:line:column.
  public static func decode(_ text: String, file: String) throws(PipelineError) -> WorkspaceConfig {
    let reader = NodeReader(file: file, lines: NodeReader.lines(of: text))
    let root: Node
    do {
      guard let node = try Yams.compose(yaml: text) else { return WorkspaceConfig() }
      root = node
    } catch {
      throw reader.yamlError(error)
    }
    let top = try reader.pairs(root, what: "the workspace configuration")
    try reader.checkKeys(top, allowed: ["remotes", "default-remote"], in: "fairflow.yaml")
    var config = WorkspaceConfig()
    for pair in top where pair.key == "remotes" {
      if case .scalar = pair.value, pair.value.tagName == .null { continue }
      for remote in try reader.pairs(pair.value, what: "remotes") {
        config.remotes.append(try readRemote(remote.key, remote.keyNode, remote.value, reader))
      }
    }
    for pair in top where pair.key == "default-remote" {
      let name = try reader.string(pair.value, what: "default-remote")
      guard config.remote(named: name.value) != nil else {
        throw reader.error(
          "default-remote '\(name.value)' is not one of the remotes", at: pair.value,
          hint: config.remotes.isEmpty
            ? "add it under remotes:"
            : "remotes: \(config.remotes.map(\.name).joined(separator: ", "))")
      }
      config.defaultRemote = name.value
    }
    return config
  }

  private static func readRemote(
    _ name: String, _ keyNode: Node, _ node: Node, _ reader: NodeReader
  ) throws(PipelineError) -> Remote {
    guard isValidName(name) else {
      throw reader.error(
        "remote name '\(name)' must be letters, digits, '-' and '_'", at: keyNode)
    }
    let fields = try reader.pairs(node, what: "remote '\(name)'")
    try reader.checkKeys(
      fields, allowed: ["url", "jobs", "timeout", "retries"], in: "remote '\(name)'")
    var remote = Remote(name: name, url: "")
    var urlNode: Node?
    for field in fields {
      switch field.key {
      case "url":
        remote.url = try reader.string(field.value, what: "the url of remote '\(name)'").value
        urlNode = field.value
      case "jobs":
        remote.jobs = try reader.int(field.value, what: "jobs", range: jobsRange)
      case "timeout":
        remote.timeout = try reader.int(field.value, what: "timeout", range: timeoutRange)
      default:
        remote.retries = try reader.int(field.value, what: "retries", range: retriesRange)
      }
    }
    guard let urlNode else {
      throw reader.error("remote '\(name)' has no url", at: keyNode)
    }
    if let (problem, hint) = problem(withURL: remote.url, remote: name) {
      throw reader.error(problem, at: urlNode, hint: hint)
    }
    return remote
  }
}
