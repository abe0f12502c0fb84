internal import NeuralKit

/// The optimizer a `train` stage configures: Adam or SGD (with momentum), both with L2 weight
/// decay and the linear learning-rate warm-up; the trainers pass it to `Training.epoch`.
struct TrainingOptimizer: Optimizer {
  private var adam: Adam
  private var sgd: SGD
  private let usesAdam: Bool

  init(_ config: TrainConfig) {
    adam = Adam(learningRate: Float(config.learningRate), weightDecay: Float(config.weightDecay))
    sgd = SGD(
      learningRate: Float(config.learningRate), momentum: Float(config.momentum),
      weightDecay: Float(config.weightDecay))
    adam.warmupSteps = config.warmupSteps
    sgd.warmupSteps = config.warmupSteps
    usesAdam = config.optimizer == "adam"
  }

  /// Sets the learning rate (a schedule's, per epoch).
  mutating func setLearningRate(_ rate: Float) {
    (adam.learningRate, sgd.learningRate) = (rate, rate)
  }

  mutating func step(_ parameters: [Parameter]) {
    if usesAdam { adam.step(parameters) } else { sgd.step(parameters) }
  }
}
