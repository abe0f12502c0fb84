internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowRemote
internal import FairflowStore
internal import Foundation

/// `fairflow remote add|list|remove`: the remotes in fairflow.yaml (docs/remotes.md).
struct RemoteCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "remote",
    abstract: "Add, list or remove the remotes that push and pull share the cache with.",
    discussion: """
      Remotes live in fairflow.yaml at the workspace root (commit it). A remote is a directory \
      on a shared file system (NFS, Lustre, EOS, CVMFS mounts) or an http(s) WebDAV URL \
      (CERNBox, EOS, dCache, nginx). Credentials never go into fairflow.yaml: they come from \
      FAIRFLOW_REMOTE_<NAME>_TOKEN, FAIRFLOW_REMOTE_<NAME>_USER and _PASSWORD, or ~/.netrc.
      """,
    subcommands: [Add.self, List.self, RemoveRemote.self])

  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add", abstract: "Add a remote (or replace one of the same name).")

    @Argument(help: "Name (letters, digits, '-' and '_').") var name: String
    @Argument(help: "A directory, or an https:// WebDAV URL.") var url: String
    @Flag(help: "Make it the default remote of push and pull.") var `default` = false
    @Option(help: "Parallel transfers (default 8).") var jobs: Int?
    @Option(help: "Seconds without progress before a request fails (default 60).") var timeout: Int?
    @Option(help: "Attempts per request on 5xx, 429 and network failures (default 5).")
    var retries: Int?

    func run() throws {
      guard WorkspaceConfig.isValidName(name) else {
        throw RemoteError(
          "remote name '\(name)' must be letters, digits, '-' and '_'", exitStatus: .invalidInput)
      }
      if let (problem, hint) = WorkspaceConfig.problem(withURL: url, remote: name) {
        throw RemoteError(problem, hint: hint, exitStatus: .invalidInput)
      }
      for (value, what, range) in [
        (jobs, "--jobs", WorkspaceConfig.jobsRange),
        (timeout, "--timeout", WorkspaceConfig.timeoutRange),
        (retries, "--retries", WorkspaceConfig.retriesRange),
      ] {
        if let value, !range.contains(value) {
          throw RemoteError(
            "\(what) must be between \(range.lowerBound) and \(range.upperBound)",
            exitStatus: .invalidInput)
        }
      }
      let workspace = CommandContext.workspace()
      var config = try RemoteSettings.load(workspace)
      let remote = WorkspaceConfig.Remote(
        name: name, url: url, jobs: jobs, timeout: timeout, retries: retries)
      if let index = config.remotes.firstIndex(where: { $0.name == name }) {
        config.remotes[index] = remote
      } else {
        config.remotes.append(remote)
      }
      if `default` || config.remotes.count == 1 { config.defaultRemote = name }
      try RemoteSettings.save(config, workspace)
      let kind = (try? Remote.Location(url, workspace: workspace.root).kind) ?? "?"
      print(
        "remote '\(name)' (\(kind)) → \(url)" + (config.defaultRemote == name ? " (default)" : ""))
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list", abstract: "List the remotes, their kind and where credentials come from."
    )

    func run() throws {
      let workspace = CommandContext.workspace()
      let config = try RemoteSettings.load(workspace)
      if config.remotes.isEmpty {
        print("no remotes; add one with `fairflow remote add NAME DIRECTORY|URL`")
        return
      }
      let environment = ProcessInfo.processInfo.environment
      var rows: [[String]] = [["name", "kind", "url", "credentials"]]
      for remote in config.remotes {
        let location = try? Remote.Location(remote.url, workspace: workspace.root)
        var credentials = "-"
        if case .webdav(let url)? = location {
          credentials =
            RemoteCredentials.resolve(
              remote: remote.name, host: url.host ?? "", environment: environment
            ).source
        }
        let name = remote.name + (config.defaultRemote == remote.name ? " (default)" : "")
        rows.append([name, location?.kind ?? "?", remote.url, credentials])
      }
      print(TextTable.render(rows), terminator: "")
    }
  }

  struct RemoveRemote: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "remove", abstract: "Remove a remote from fairflow.yaml (its contents stay).")

    @Argument(help: "Name of the remote.") var name: String

    func run() throws {
      let workspace = CommandContext.workspace()
      var config = try RemoteSettings.load(workspace)
      guard config.remote(named: name) != nil else { throw RemoteSettings.unknown(name, config) }
      config.remotes.removeAll { $0.name == name }
      if config.defaultRemote == name { config.defaultRemote = nil }
      try RemoteSettings.save(config, workspace)
      print("removed remote '\(name)'")
    }
  }
}

/// Reading and writing fairflow.yaml, and choosing a remote.
enum RemoteSettings {
  static func path(_ workspace: Workspace) -> String {
    workspace.root + "/" + WorkspaceConfig.fileName
  }

  static func load(_ workspace: Workspace) throws -> WorkspaceConfig {
    let file = path(workspace)
    guard FileIO.exists(file) else { return WorkspaceConfig() }
    return try WorkspaceConfig.decode(try FileIO.readText(file), file: workspace.display(file))
  }

  static func save(_ config: WorkspaceConfig, _ workspace: Workspace) throws {
    try FileIO.writeAtomically(config.encoded(), to: path(workspace))
  }

  static func unknown(_ name: String, _ config: WorkspaceConfig) -> RemoteError {
    RemoteError(
      "no remote '\(name)' in fairflow.yaml",
      hint: config.remotes.isEmpty
        ? "add one with `fairflow remote add NAME DIRECTORY|URL`"
        : Suggestion.hint(for: name, in: config.remotes.map(\.name))
          ?? "remotes: \(config.remotes.map(\.name).joined(separator: ", "))",
      exitStatus: .invalidInput)
  }

  /// `--remote NAME`, else the default, else the only one.
  static func choose(_ name: String?, _ config: WorkspaceConfig) throws -> WorkspaceConfig.Remote {
    if let name {
      guard let remote = config.remote(named: name) else { throw unknown(name, config) }
      return remote
    }
    if let name = config.defaultRemote, let remote = config.remote(named: name) { return remote }
    if config.remotes.count == 1 { return config.remotes[0] }
    throw RemoteError(
      config.remotes.isEmpty
        ? "no remotes in fairflow.yaml" : "several remotes and no default-remote in fairflow.yaml",
      hint: config.remotes.isEmpty
        ? "add one with `fairflow remote add NAME DIRECTORY|URL`"
        : "name one with --remote, or `fairflow remote add NAME URL --default`",
      exitStatus: .invalidInput)
  }

  /// Opens the chosen remote of the current workspace.
  static func open(_ name: String?, jobs: Int?, workspace: Workspace) throws -> Remote {
    let remote = try choose(name, try load(workspace))
    return try Remote.open(
      remote, workspace: workspace.root, environment: ProcessInfo.processInfo.environment,
      jobs: jobs)
  }
}
