internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowGit
internal import FairflowProvenance
internal import FairflowStore
internal import Foundation

/// `fairflow prov …`: read the provenance records committed to `refs/fairflow/provenance`.
struct Prov: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prov",
    abstract: "Where did a file come from? Query, verify and export provenance records.",
    discussion: """
      Records live in git on refs/fairflow/provenance (plain `git log refs/fairflow/provenance` \
      reads them), or in cache/provenance.git when the workspace is not in a git repository.
      """,
    subcommands: [Log.self, Show.self, Trace.self, Verify.self, Export.self])

  static func store(_ workspace: Workspace) throws -> ProvenanceStore {
    guard let store = try ProvenanceStore.open(workspace: workspace.root, create: false),
      try store.tip() != nil
    else {
      throw ProvenanceError(
        "no provenance recorded in this workspace yet", hint: "`fairflow run` records it")
    }
    return store
  }

  /// A run id from a unique prefix ("2026112", "latest" or nothing for the newest).
  static func resolveRun(_ prefix: String?, in store: ProvenanceStore) throws -> String {
    let runs = try store.runIDs()
    guard let newest = runs.last else { throw ProvenanceError("no runs recorded") }
    guard let prefix, prefix != "latest" else { return newest }
    let matches = runs.filter { $0.hasPrefix(prefix) }
    if matches.count == 1 { return matches[0] }
    if matches.isEmpty {
      throw ProvenanceError(
        "no recorded run '\(prefix)'", hint: "`fairflow prov log` lists runs",
        exitStatus: .invalidInput)
    }
    throw ProvenanceError(
      "'\(prefix)' matches \(matches.count) runs", hint: "give more of the run id",
      exitStatus: .invalidInput)
  }

  struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "log", abstract: "List runs, newest first.")
    @Option(name: .short, help: "Show at most N runs.") var number: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let store = try Prov.store(CommandContext.workspace())
      let entries = try store.log(limit: number).sorted { $0.run > $1.run }
      if json {
        let list = entries.map { entry -> Value in
          .map([
            ("run", .string(entry.run)), ("commit", .string(entry.commit.hex)),
            ("summary", .string(entry.subject)),
            ("pipeline", entry.trailers["Pipeline"].map(Value.string) ?? .null),
            ("code", entry.trailers["Code"].map(Value.string) ?? .null),
            ("host", entry.trailers["Host"].map(Value.string) ?? .null),
          ])
        }
        print(Value.map([("schema", .int(1)), ("runs", .list(list))]).prettyJSON, terminator: "")
        return
      }
      for entry in entries {
        var summary = entry.subject
        if summary.hasPrefix("fairflow run ") { summary = String(summary.dropFirst(13)) }
        let code =
          entry.trailers["Code"].map {
            " [" + $0.prefix(12) + ($0.hasSuffix("(dirty)") ? "+dirty" : "") + "]"
          } ?? ""
        print("\(entry.run)  \(summary)\(code)")
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Show a run's records, or one stage's record (RUN/STAGE).")
    @Argument(help: "RUN or RUN/STAGE; RUN may be a unique prefix or 'latest'.")
    var target: String = "latest"
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let store = try Prov.store(CommandContext.workspace())
      let slash = target.firstIndex(of: "/")
      let run = try Prov.resolveRun(
        slash.map { String(target[..<$0]) } ?? target, in: store)
      let records = try store.records(run: run)
      if let slash {
        let stage = String(target[target.index(after: slash)...])
        guard let record = records.first(where: { $0.stage == stage }) else {
          throw ProvenanceError(
            "run \(run) has no record of stage '\(stage)'",
            hint: Suggestion.hint(for: stage, in: records.map(\.stage))
              ?? "recorded: \(records.map(\.stage).joined(separator: ", "))",
            exitStatus: .invalidInput)
        }
        print(record.json, terminator: "")
        return
      }
      if json {
        print(Value.list(records.map(\.value)).prettyJSON, terminator: "")
        return
      }
      guard let first = records.first else { return }
      let code = Value.map(first.context.code)
      let host = Value.map(first.context.host)
      print("run       \(run)")
      print("pipeline  \(first.pipeline)")
      if let commit = code["commit"]?.stringValue {
        let branch = code["branch"]?.stringValue.map { " (\($0))" } ?? ""
        print(
          "code      \(commit)\(branch)\(code["dirty"] == .bool(true) ? ", uncommitted changes" : "")"
        )
      } else {
        print("code      not in git")
      }
      print(
        "host      \(host["hostname"]?.stringValue ?? "?"), \(host["os"]?.stringValue ?? "?"), \(host["cores"]?.interpolationText ?? "?") cores"
      )
      let user = Value.map(first.context.user)
      if let name = user["name"]?.stringValue {
        print("user      \(name)\(user["email"]?.stringValue.map { " <\($0)>" } ?? "")")
      }
      print("")
      let width = max(5, records.map(\.stage.count).max() ?? 5)
      print(
        "STAGE".padding(toLength: width, withPad: " ", startingAt: 0)
          + "  OUTCOME    SECONDS  OUTPUTS")
      for record in records.sorted(by: { $0.started < $1.started }) {
        var outcome = record.outcome.rawValue
        if let from = record.restoredFrom { outcome += " from \(from)" }
        let seconds = String(format: "%7.2f", record.durationSeconds)
        print(
          record.stage.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
            + outcome.padding(toLength: 9, withPad: " ", startingAt: 0) + "  \(seconds)  "
            + record.outputs.map(\.path).joined(separator: ", "))
      }
    }
  }

  struct Trace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "trace",
      abstract: "Trace a file back through the stages and inputs that produced its content.")
    @Argument(help: "The file (or directory) to trace.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let workspace = CommandContext.workspace()
      let store = try Prov.store(workspace)
      let cwd = FileManager.default.currentDirectoryPath
      let absolute = file.hasPrefix("/") ? file : cwd + "/" + file
      guard let real = FileIO.realPath(absolute) else {
        throw ProvenanceError("no such file: \(file)", exitStatus: .invalidInput)
      }
      let rootReal = FileIO.realPath(workspace.root) ?? workspace.root
      let relative =
        real.hasPrefix(rootReal + "/") ? String(real.dropFirst(rootReal.count + 1)) : nil
      let observed: PathRecord?
      if let relative {
        observed = try Observer(root: rootReal, statCache: StatCache(file: "")).observe(relative)
      } else {
        let (digest, size) = try FileHasher.hash(real)
        observed = PathRecord(path: file, digest: digest, size: size)
      }
      guard let observed else {
        throw ProvenanceError("no such file: \(file)", exitStatus: .invalidInput)
      }
      let tracer = Tracer(store: store, workspace: rootReal)
      let node = try tracer.trace(
        path: relative ?? file, sha256: observed.digest.hex, size: observed.size)
      if json {
        print(node.value.prettyJSON, terminator: "")
      } else {
        print(node.text(), terminator: "")
      }
      if node.producer == nil && node.origin == nil {
        throw ProvenanceError(
          "no provenance record lists this content (sha256 \(observed.digest.hex))",
          hint: "it was not produced by a recorded fairflow run, or it was modified since")
      }
    }
  }

  struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: "Re-hash recorded outputs in the workspace and the store; exit 1 on any mismatch.")
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let workspace = CommandContext.workspace()
      let committed = ProvenanceJournal(workspace: workspace.root).entries().count
      let store: ProvenanceStore
      do { store = try Prov.store(workspace) } catch let error as ProvenanceError
        where committed > 0
      {
        // The workspace committed records, so "nothing recorded" means the history was removed.
        throw ProvenanceError(
          "refs/fairflow/provenance is gone, but this workspace committed \(committed) records to it",
          hint: "restore it from a clone or remote that has it (\(error.message))")
      }
      let report = try Verifier(store: store, workspace: workspace.root).verify()
      print(json ? report.value.prettyJSON : report.text(), terminator: "")
      if !report.isClean { throw ExitCode(ExitStatus.failure.code) }
    }
  }

  struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Export a run as W3C PROV-JSON or a Provenance Run RO-Crate.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case provJSON = "prov-json"
      case roCrate = "ro-crate"
    }

    @Option(help: "prov-json or ro-crate.") var format: Format
    @Option(help: "The run (unique prefix; default: the newest).") var run: String?
    @Option(
      help: "Output file (prov-json; default stdout) or directory (ro-crate, required).")
    var out: String?
    @Flag(help: "ro-crate: describe files without copying them into the crate.")
    var noFiles = false

    func run() async throws {
      let workspace = CommandContext.workspace()
      let store = try Prov.store(workspace)
      let id = try Prov.resolveRun(run, in: store)
      let records = try store.records(run: id).sorted { $0.started < $1.started }
      // Reproductions of what this run made (or of what an earlier run made and this one
      // restored, when a stage compared was recorded by this run).
      let made = Set(records.flatMap { $0.outputs.map(\.sha256) })
      let reproductions = try store.reproductions().filter {
        made.contains($0.sha256) || $0.stages.contains { $0.run == id }
      }
      switch format {
      case .provJSON:
        let text = ProvJSONExporter.export(records, reproductions: reproductions).prettyJSON
        if let out {
          try FileIO.writeAtomically(text, to: out)
        } else {
          print(text, terminator: "")
        }
      case .roCrate:
        guard let out else {
          throw ProvenanceError("--out DIR is required for ro-crate", exitStatus: .invalidInput)
        }
        let pipeline = records.first?.pipeline ?? "pipeline.yaml"
        let crate = ROCrateExporter.export(
          records, pipelineFile: pipeline, reproductions: reproductions)
        try FileIO.makeDirectories(out)
        var copied = 0
        if !noFiles {
          copied = try copyFiles(records, pipeline: pipeline, root: workspace.root, into: out)
        }
        try FileIO.writeAtomically(crate.prettyJSON, to: out + "/ro-crate-metadata.json")
        Console.standardError(
          "wrote \(out)/ro-crate-metadata.json (\(copied) files placed in the crate)\n")
      }
    }

    /// Places the pipeline file and every recorded file whose workspace copy still has the
    /// recorded digest into the crate (reflink, hard link or copy).
    func copyFiles(_ records: [ProvenanceRecord], pipeline: String, root: String, into out: String)
      throws -> Int
    {
      let observer = Observer(root: root, statCache: StatCache(file: ""))
      let linker = Linker()
      var done: Set<String> = []
      var count = 0
      let artifacts = records.flatMap { $0.deps + $0.outputs }.filter { !$0.isDirectory }
      var wanted: [(path: String, sha256: String?)] = [(pipeline, nil)]
      wanted += artifacts.map { ($0.path, $0.sha256) }
      for (path, sha) in wanted where done.insert(path).inserted {
        guard let current = try observer.observe(path), current.kind == .file,
          sha == nil || current.digest.hex == sha
        else { continue }
        let destination = out + "/" + path
        try FileIO.makeDirectories(FileIO.parent(of: destination))
        try? FileIO.remove(destination)
        try linker.place(root + "/" + path, at: destination, executable: false)
        count += 1
      }
      return count
    }
  }
}
