internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import ModelStages

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
      var diff = MetricsDiff(revision: rev)
      for stage in context.loaded.pipeline.stages {
        for output in stage.outputs where output.isMetric {
          diff.add(
            file: output.path, old: try source.at(rev, output.path) ?? [:],
            new: source.current(output.path) ?? [:])
        }
      }
      if json {
        print(diff.json.prettyJSON, terminator: "")
      } else if diff.rows.isEmpty {
        print("no metrics: declare `metrics:` on a stage")
      } else {
        print(TextTable.render(diff.table, numeric: [2, 3, 4]), terminator: "")
      }
    }
  }
}
