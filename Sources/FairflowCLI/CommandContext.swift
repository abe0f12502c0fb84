internal import Foundation
internal import FairflowCore
internal import FairflowStore
internal import FairflowEngine

/// The workspace (discovered from the current directory) and the loaded pipeline of a command.
struct CommandContext {
  let workspace: Workspace
  let loaded: LoadedPipeline

  /// The built-in stage kinds of this build (registered here as later issues add them).
  static let registry = StageKindRegistry()

  static func workspace() -> Workspace {
    Workspace.discover(from: FileManager.default.currentDirectoryPath)
  }

  static func load(_ options: PipelineOptions) throws -> CommandContext {
    let workspace = workspace()
    let file = try workspace.pipelineFile(options.pipeline)
    let loaded = try LoadedPipeline.load(file, in: workspace, overrides: options.params, registry: registry)
    return CommandContext(workspace: workspace, loaded: loaded)
  }

  var statCache: StatCache { StatCache(file: workspace.statCacheFile) }
}
