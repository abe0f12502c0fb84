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

}

/// `fairflow check`: the regression gate for CI.
struct Check: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check the gates of every evaluate stage; exit 1 on any regression.",
    discussion: """
      Baselines: the stage's `baseline:` metrics file, or with --rev the same metrics file at a \
      git revision (e.g. --rev origin/main).
      """)
  @OptionGroup var pipelineOptions: PipelineOptions
  @Option(help: "Compare against the metrics committed at this git revision.") var rev: String?
  @Flag(help: "Print JSON.") var json = false

  func run() async throws {
    let source = MetricsSource(context: try CommandContext.load(pipelineOptions))
    var rows: [GateResult] = []
    for e in source.evaluations where !e.gates.isEmpty {
      let baseline =
        try rev.map { try source.at($0, e.output) } ?? e.baselineFile.flatMap(source.current)
      rows += e.check(values: source.current(e.output), baseline: baseline)
    }
    let failed = rows.contains { !$0.passed }
    if json {
      print(
        Value.map([
          ("schema", .int(1)), ("passed", .bool(!failed)), ("gates", .list(rows.map(\.json))),
        ]).prettyJSON, terminator: "")
    } else if rows.isEmpty {
      print("no gates: add `gates:` to an evaluate stage")
    } else {
      func f(_ d: Double?) -> String { d.map { String(format: "%.6g", $0) } ?? "-" }
      let header = ["stage", "metric", "baseline", "value", "allowed", "verdict"]
      let table =
        [header]
        + rows.map {
          [
            $0.stage, $0.metric, f($0.baseline), f($0.value), $0.allowed(digits: max(6, $0.digits)),
            $0.verdict.rawValue,
          ]
        }
      let widths = (0..<header.count).map { c in table.map { $0[c].count }.max()! }
      for row in table {
        print(
          zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(
            separator: "  "))
      }
    }
    if failed { throw ExitCode(ExitStatus.failure.code) }
  }
}

/// `fairflow metrics show|diff`.
struct MetricsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "metrics",
    abstract: "Show the metrics of a pipeline, or compare them with a git revision.",
    subcommands: [Show.self, Diff.self])

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: "Print every metrics file of the pipeline.")
    @OptionGroup var pipelineOptions: PipelineOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let context = try CommandContext.load(pipelineOptions)
      let source = MetricsSource(context: context)
      var all: [(key: String, value: Value)] = []
      for stage in context.loaded.pipeline.stages {
        for output in stage.outputs where output.isMetric {
          guard let values = source.current(output.path) else { continue }
          all.append(
            (
              output.path,
              .map(values.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) })
            ))
        }
      }
      if json {
        print(Value.map(all).prettyJSON, terminator: "")
        return
      }
      for (path, values) in all {
        print(path)
        if case .map(let pairs) = values {
          for (k, v) in pairs { print("  \(k)  \(v.interpolationText)") }
        }
      }
    }
  }

  struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "diff",
      abstract: "Compare metrics with those committed at a revision.")
    @OptionGroup var pipelineOptions: PipelineOptions
    @Option(help: "Git revision to compare with.") var rev: String = "HEAD"
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
      let context = try CommandContext.load(pipelineOptions)
      let source = MetricsSource(context: context)
      var rows: [Value] = []
      for stage in context.loaded.pipeline.stages {
        for output in stage.outputs where output.isMetric {
          let now = source.current(output.path) ?? [:]
          let then = try source.at(rev, output.path) ?? [:]
          for key in Set(now.keys).union(then.keys).sorted() {
            rows.append(
              .map([
                ("file", .string(output.path)), ("metric", .string(key)),
                ("old", then[key].map(Value.double) ?? .null),
                ("new", now[key].map(Value.double) ?? .null),
                (
                  "change",
                  (now[key] != nil && then[key] != nil) ? .double(now[key]! - then[key]!) : .null
                ),
              ]))
          }
        }
      }
      if json {
        print(
          Value.map([("schema", .int(1)), ("rev", .string(rev)), ("metrics", .list(rows))])
            .prettyJSON, terminator: "")
        return
      }
      for r in rows {
        print(
          "\(r["file"]!.interpolationText)  \(r["metric"]!.interpolationText)  \(r["old"]!.interpolationText) → \(r["new"]!.interpolationText)  (\(r["change"]!.interpolationText))"
        )
      }
    }
  }
}
