internal import ArgumentParser
internal import FairflowReport
internal import FairflowStore
internal import Foundation

/// `fairflow report`: writes `HTMLReport`'s page atomically.
struct Report: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract:
      "Write a self-contained HTML report of a pipeline: summary, graph, metrics, gates, charts, provenance."
  )
  @OptionGroup var pipelineOptions: PipelineOptions
  @Option(help: "Output file.") var out = "report.html"

  func run() async throws {
    let context = try CommandContext.load(pipelineOptions)
    let (html, charts) = try HTMLReport(
      loaded: context.loaded, workspace: context.workspace, statCache: context.statCache
    ).render()
    let target = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
    try FileIO.writeAtomically(Array(html.utf8), to: target)
    print("report: \(out) (\(charts) charts)")
  }
}
