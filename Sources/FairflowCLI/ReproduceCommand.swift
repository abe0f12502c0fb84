internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowProvenance
internal import FairflowStore
internal import FAIRStages
internal import Foundation
internal import Synchronization

/// `fairflow reproduce PATH`: re-executes the recorded lineage of an artifact in a scratch
/// workspace built from the recorded commit and compares every stage's outputs with the records.
struct Reproduce: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reproduce",
    abstract: "Re-run an artifact's recorded lineage in a scratch workspace and compare outputs.",
    discussion: """
      The scratch workspace ($TMPDIR/fairflow-reproduce-*) holds the recorded code commit's tree \
      and the lineage's untracked inputs copied from the object store; the workspace, its lock \
      file, cache and git refs are not touched, except that the result is recorded on \
      refs/fairflow/provenance (`prov trace` shows it; --no-record leaves it out). Stages \
      declared `deterministic: false` are compared within their `tolerance:`. Exit codes: 0 \
      every stage identical or within tolerance, 1 a stage differs or could not be \
      re-executed, 2 the lineage cannot be reproduced (dirty tree, mixed commits, missing \
      inputs) or bad input, 130 interrupted. A DOI, record URL or bundle directory (with \
      bagit.txt) reproduces a published bundle instead: its files are checked against the \
      RO-Crate, its reproduce/ part (source archive, recipe, lock file) becomes the scratch \
      workspace, and the model digest and metrics are compared with the published ones.
      """)

  @Argument(
    help: "An artifact (file or directory) of this workspace, or a DOI, record URL or bundle.")
  var path: String

  @Argument(help: "The pipeline the artifact came from (default: the recorded one).")
  var pipeline: String?

  @Flag(help: "Print JSON (schema 1).") var json = false

  @Flag(help: "Keep the scratch workspace and print where it is.") var keep = false

  @Flag(help: "Do not record the reproduction on refs/fairflow/provenance.") var noRecord = false

  func run() async throws {
    let cwd = FileManager.default.currentDirectoryPath
    if let source = BundleReproduction.Source(argument: path, workingDirectory: cwd) {
      return try await runBundle(source)
    }
    let workspace = CommandContext.workspace()
    let rootReal = FileIO.realPath(workspace.root) ?? workspace.root
    let absolute = path.hasPrefix("/") ? path : cwd + "/" + path
    guard let real = FileIO.realPath(absolute),
      real.hasPrefix(rootReal + "/")
    else {
      throw ReproductionRefusal(
        FileIO.realPath(absolute) == nil
          ? "no such file: \(path)" : "\(path) is not inside the workspace \(rootReal)")
    }
    let relative = String(real.dropFirst(rootReal.count + 1))
    guard
      let observed = try Observer(root: rootReal, statCache: StatCache(file: "")).observe(relative)
    else { throw ReproductionRefusal("no such file: \(path)") }
    let reproducer = try Reproducer(workspace: rootReal)
    let plan = try reproducer.plan(
      path: relative, sha256: observed.digest.hex, size: observed.size)
    if let pipeline {
      let file = try workspace.pipelineFile(pipeline)
      let named = (FileIO.realPath(file) ?? file).dropFirst(rootReal.count + 1)
      guard String(named) == plan.pipeline else {
        throw ReproductionRefusal(
          "\(path) was made by \(plan.pipeline), not \(pipeline)",
          hint: "leave PIPELINE out to use the recorded one")
      }
    }
    let started = RunID.timestamp(milliseconds: true)
    let clock = MonotonicClock.now()
    let scratch = try reproducer.materialise(plan)
    defer { if !keep { try? FileIO.remove(scratch.directory) } }
    Console.standardError(
      "reproducing \(plan.target): \(plan.stages.count) stage(s) of \(plan.pipeline) at "
        + "\(plan.commit.prefix(12)) in \(scratch.directory)\n")
    if !plan.unpassable.isEmpty {
      Console.standardError(
        "note: params \(plan.unpassable.joined(separator: ", ")) cannot be passed with -p; the "
          + "scratch run uses their values in the pipeline at the commit\n")
    }
    let status = try runChild(
      ["run", plan.pipeline, "--stage", plan.leaf.stage, "--force", "--no-provenance"]
        + plan.overrides.flatMap { ["-p", $0] },
      in: scratch.workspace, scratch: scratch.directory)
    let rows = reproducer.compare(plan, scratch: scratch, childStatus: status)
    var recorded: ReproductionRecord?
    if !noRecord {
      let record = reproducer.record(
        plan, rows: rows, started: started, seconds: MonotonicClock.now() - clock)
      try reproducer.commit(record)
      recorded = record
    }
    if json {
      print(
        Reproduction.json(plan, rows: rows, scratch: keep ? scratch.directory : nil).prettyJSON,
        terminator: "")
    } else {
      print(Reproduction.text(plan, rows: rows), terminator: "")
      if keep { print("scratch workspace kept: \(scratch.directory)") }
      if let recorded {
        print("recorded as reproduction \(recorded.id) on \(ProvenanceStore.ref)")
      }
    }
    let exit = Reproduction.exitStatus(rows)
    if exit != .success { throw ExitCode(exit.code) }
  }

  /// Runs this fairflow binary in the scratch workspace (its own process group; its output goes
  /// to standard error). Ctrl-C or SIGTERM stops the child run, removes the scratch workspace
  /// (unless `--keep`) and exits 130.
  func runChild(_ arguments: [String], in directory: String, scratch: String) throws -> Int32 {
    let binary =
      FileIO.realPath("/proc/self/exe")
      ?? FileIO.realPath(CommandLine.arguments[0]) ?? CommandLine.arguments[0]
    let pid: pid_t
    switch ChildProcess.spawn(
      [binary] + arguments, workingDirectory: directory, stdout: 2, stderr: 2)
    {
    case .success(let started): pid = started
    case .failure(let failure):
      throw ReproductionRefusal("cannot start the scratch run: \(failure.text)")
    }
    let interrupted = Atomic<Bool>(false)
    let signals = SignalHandler {
      interrupted.store(true, ordering: .relaxed)
      kill(-pid, SIGTERM)
    }
    let termination = ChildProcess.wait(pid)
    signals.stop()
    if interrupted.load(ordering: .relaxed) {
      if keep {
        Console.standardError("scratch workspace kept: \(scratch)\n")
      } else {
        try? FileIO.remove(scratch)
      }
      throw ExitCode(ExitStatus.interrupted.code)
    }
    switch termination {
    case .exited(let status): return status
    case .signalled(let signal): return 128 + signal
    }
  }
}
