internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowGit
internal import FairflowStore
internal import ModelStages
internal import Foundation

/// Metrics of a pipeline's `evaluate` stages and their gates, now and at a git revision.
struct MetricsSource {
  let context: CommandContext

  var evaluations: [GatedMetrics] { GatedMetrics.all(in: context.loaded.pipeline) }

  func current(_ path: String) -> [String: Double]? {
    guard let text = try? FileIO.readText(context.workspace.root + "/" + path) else { return nil }
    return MetricsFile.numbers(text)
  }

  /// The file at a git revision (through libgit2).
  func at(_ revision: String, _ path: String) throws -> [String: Double]? {
    guard let repo = try Repository.discover(from: context.workspace.root),
      let workdir = repo.workingDirectory
    else { throw ValidationError("--rev needs the workspace to be in a git repository") }
    guard try repo.commitID(revision: revision) != nil else {
      throw ValidationError("no git revision '\(revision)'")
    }
    let root = context.workspace.root
    let prefix = root.hasPrefix(workdir) ? String(root.dropFirst(workdir.count)) : ""
    let inRepo = (prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/") + path
    guard let bytes = try repo.file(at: revision, path: inRepo) else { return nil }
    return MetricsFile.numbers(String(decoding: bytes, as: UTF8.self))
  }

  /// The baseline of `e`'s gates: its metrics file at `rev`, else its `baseline:` file.
  func baseline(of e: GatedMetrics, rev: String?) throws -> ([String: Double]?, GateBaseline) {
    if let rev { return (try at(rev, e.output), .revision(rev, file: e.output)) }
    guard let file = e.baselineFile else { return (nil, .none) }
    return (current(file), .file(file))
  }
}

/// `fairflow check`: the regression gate for CI.
struct Check: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check the gates of every evaluate stage; exit 1 on any regression.",
    discussion: """
      Baselines: the stage's `baseline:` metrics file, or with --rev the same metrics file at a \
      git revision (e.g. --rev origin/main). --junit and --markdown also write the result for \
      CI: JUnit XML for test reports, a Markdown table for a job summary \
      (--markdown "$GITHUB_STEP_SUMMARY"); the exit code stays the same.
      """)
  @OptionGroup var pipelineOptions: PipelineOptions
  @Option(help: "Compare against the metrics committed at this git revision.") var rev: String?
  @Flag(help: "Print JSON.") var json = false
  @Option(help: ArgumentHelp("Also write JUnit XML (one test case per gate).", valueName: "file"))
  var junit: String?
  @Option(help: ArgumentHelp("Also write a Markdown summary table.", valueName: "file"))
  var markdown: String?

  func validate() throws {
    for (option, path) in [("--junit", junit), ("--markdown", markdown)] where path?.isEmpty == true
    {
      throw ValidationError("\(option) needs a file name (is the variable you passed set?)")
    }
    if let junit, junit == markdown {
      throw ValidationError("--junit and --markdown name the same file '\(junit)'")
    }
  }

  func run() async throws {
    let started = Date()
    let source = MetricsSource(context: try CommandContext.load(pipelineOptions))
    let clock = ContinuousClock()
    var suites: [JUnitReport.Suite] = []
    for e in source.evaluations where !e.gates.isEmpty {
      let start = clock.now
      let (baseline, from) = try source.baseline(of: e, rev: rev)
      let results = e.check(values: source.current(e.output), baseline: baseline, from: from)
      let elapsed = (clock.now - start).components
      let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
      suites.append(JUnitReport.Suite(stage: e.stage, results: results, seconds: seconds))
    }
    let rows = suites.flatMap(\.results)
    if json {
      print(
        Value.map([
          ("schema", .int(1)), ("passed", .bool(rows.allSatisfy(\.passed))),
          ("gates", .list(rows.map(\.json))),
        ]).prettyJSON, terminator: "")
    } else if rows.isEmpty {
      print("no gates: add `gates:` to an evaluate stage")
    } else {
      print(TextTable.render(Self.table(rows), numeric: [2, 3, 4]), terminator: "")
    }
    if let junit {
      try ReportFile.write(
        JUnitReport(suites: suites, timestamp: started).xml, to: junit, option: "--junit")
    }
    if let markdown {
      try ReportFile.write(GateSummary(results: rows).markdown, to: markdown, option: "--markdown")
    }
    if !rows.allSatisfy(\.passed) { throw ExitCode(ExitStatus.failure.code) }
  }

  /// The terminal table: a header and one row per gate.
  static func table(_ rows: [GateResult]) -> [[String]] {
    [["stage", "metric", "baseline", "value", "change", "allowed", "verdict"]]
      + rows.map { r in
        let digits = r.digits
        func f(_ x: Double?) -> String { x.map { MetricFormat.number($0, digits: digits) } ?? "-" }
        return [
          r.stage, r.metric, f(r.baseline), f(r.value),
          r.change.map { MetricFormat.change($0) } ?? "-",
          r.allowed(digits: digits), r.verdict.rawValue,
        ]
      }
  }
}

/// A report file a CI system reads (`check --junit`, `--markdown`): written atomically (a
/// temporary beside it, renamed). Through a link, device or pipe (`/dev/stdout`, a process
/// substitution) it is appended to instead: renaming would replace the link or fail, and
/// truncating `/dev/stdout` redirected to a file would erase what came before (GitHub's step
/// summary is appended to as well).
enum ReportFile {
  static func write(_ text: String, to path: String, option: String) throws {
    let target = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    do {
      switch try FileIO.stat(target)?.kind {
      case .directory?: throw CommandError("cannot write \(option) \(path): it is a directory")
      case .symlink?, .other?:
        fflush(nil)  // the table printed before goes first where both share a stream
        try FileIO.append(Array(text.utf8), to: target)
      case .file?, nil: try FileIO.writeAtomically(Array(text.utf8), to: target)
      }
    } catch let error as CommandError {
      throw error
    } catch {
      let reason = (error as? any FairflowError)?.message ?? error.localizedDescription
      throw CommandError("cannot write \(option) \(path): \(reason)")
    }
  }
}
