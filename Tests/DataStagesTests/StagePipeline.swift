import FairflowCore
import FairflowEngine
import FairflowTesting

/// A one-pipeline workspace for driving a kind the way `fairflow exec-stage` does: the stage's
/// `with:` is validated by the loader (located errors) and run from its normalised form.
struct StagePipeline {
  let workspace: TemporaryWorkspace
  let registry: StageKindRegistry

  /// Writes `pipelines/p.yaml` and loads it.
  func load(_ yaml: String) throws -> LoadedPipeline {
    try workspace.write("pipelines/p.yaml", yaml)
    return try LoadedPipeline.load(
      workspace.path("pipelines/p.yaml"), in: Workspace(root: workspace.root), registry: registry)
  }

  /// The load-time error of a pipeline (nil when it loads).
  func loadError(_ yaml: String) -> PipelineError? {
    do {
      _ = try load(yaml)
      return nil
    } catch let error as PipelineError {
      return error
    } catch {
      return PipelineError("not a PipelineError: \(error)")
    }
  }
}
