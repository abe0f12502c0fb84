public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import NeuralKit

/// `uses: train`: trains a model on `convert`'s HDF5 output with seeded shuffling, validation
/// each epoch, early stopping and the best epoch's weights kept (`TrainingLoop`), by
/// `InteractionNetworkTrainer` or `BraggNNTrainer`. See `TrainConfig`.
public struct TrainStage: TypedStage {
  public typealias Configuration = TrainConfig
  public let name = "train"
  /// 2: deterministic kernels (issue 17); 3: no wall-clock seconds in the log or metrics.
  public let version = 3

  public init() {}

  public func run(_ config: TrainConfig, stage: Stage, workspace: Workspace) async throws {
    Training.reuseLargeAllocations()
    if config.model == "braggnn" {
      try BraggNNTrainer.run(config, root: workspace.root)
    } else {
      try InteractionNetworkTrainer.run(config, root: workspace.root)
    }
  }
}
