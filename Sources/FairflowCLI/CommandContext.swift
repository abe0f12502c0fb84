internal import Foundation
internal import FairflowCore
internal import FairflowStore
internal import FairflowEngine
internal import FairflowStages

/// The workspace (discovered from the current directory) and the loaded pipeline of a command.
struct CommandContext {
  let workspace: Workspace
  let loaded: LoadedPipeline
  /// One stat cache per command, shared by loading, status and the run.
  let statCache: StatCache

  /// Loaded pipelines are kept until the process exits: tearing down 10,000 stages only to exit
  /// costs several milliseconds of every no-op command.
  nonisolated(unsafe) static var retained: [LoadedPipeline] = []

  static func workspace() -> Workspace {
    Workspace.discover(from: FileManager.default.currentDirectoryPath)
  }

  static func load(_ options: PipelineOptions) throws -> CommandContext {
    let workspace = workspace()
    let file = try workspace.pipelineFile(options.pipeline)
    let statCache = StatCache(file: workspace.statCacheFile)
    let loaded = try LoadedPipeline.load(
      file, in: workspace, overrides: options.params, registry: BuiltinStages.registry,
      statCache: statCache)
    retained.append(loaded)
    return CommandContext(workspace: workspace, loaded: loaded, statCache: statCache)
  }
}
