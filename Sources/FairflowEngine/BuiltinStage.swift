public import FairflowBase
public import FairflowCore

/// A built-in stage kind that can run: `fairflow exec-stage` looks the kind up in the registry
/// and calls `run` in a child process of the run (so it runs locally or under a batch scheduler
/// the same way as a command stage, with its output going to the stage's log).
public protocol BuiltinStage: StageKind {
  /// Produces the stage's declared outputs from its validated configuration. Runs with the
  /// workspace root as the current directory.
  func run(config: Value, stage: Stage, workspace: Workspace) async throws
}

extension LoadedPipeline {
  /// Runs built-in stage `name` in this process (what `fairflow exec-stage` does).
  public func executeBuiltin(_ name: String, registry: StageKindRegistry) async throws {
    guard let index = pipeline.index(of: name) else {
      throw GraphError(
        .unknownStage(name, hint: Suggestion.hint(for: name, in: pipeline.stages.map(\.name))),
        file: workspace.display(file))
    }
    let stage = pipeline.stages[index]
    guard case .builtin(let kind, _, let config) = stage.action else {
      throw PipelineError("stage '\(name)' runs a command, not a built-in kind")
    }
    guard let implementation = registry[kind] as? any BuiltinStage else {
      throw PipelineError(
        "built-in stage kind '\(kind)' has no implementation in this build of fairflow")
    }
    try await implementation.run(config: config, stage: stage, workspace: workspace)
  }
}
