internal import FairflowBase
internal import FairflowStore
internal import HDF5
internal import NeuralKit
internal import StageSupport

/// `train` for BraggNN: peak-position regression (MSE) on patches `[N, 1, P, P]` and positions
/// `[N, 2]` read whole, an optional cosine learning-rate schedule, validation MSE and mean peak
/// error in pixels each epoch. The epoch loop is `TrainingLoop`'s.
struct BraggNNTrainer: EpochTrainer {
  let config: TrainConfig
  let model: BraggNN
  let patches: Tensor
  let positions: Tensor
  let validation: (patches: Tensor, positions: Tensor)?
  var generator: SeededGenerator
  var optimizer: TrainingOptimizer

  var parameters: [Parameter] { model.parameters }

  /// Trains on the configured splits and writes the model directory and metrics.
  static func run(_ config: TrainConfig, root: String) throws {
    let (x, y) = try read(config.train, config: config, root: root)
    let validation = try config.validation.map { try read($0, config: config, root: root) }
    var architecture = BraggNN.Configuration()
    architecture.patch = x.shape[2]
    if let dense = config.architecture.first(where: { $0.key == "dense" })?.value.listValue {
      architecture.dense = dense.compactMap(\.intValue)
    }
    let model = BraggNN(architecture, seed: UInt64(config.seed))
    // Zero-centred training (the FAIR model's convention, braggnn.md §1.8): the output bias
    // starts at 0.5, the centre of the [0, 1] targets, so the network learns offsets from the
    // patch centre instead of first spending hundreds of steps moving its output from 0 to ≈ 0.45,
    // which at higher learning rates drives the LeakyReLU bottleneck (…→ 4 → 2) into its
    // flat side and the model collapses to predicting the mean position. Equivalent to training
    // on ploc − 0.5 and adding 0.5 back; the saved model keeps the ploc convention.
    model.dense[model.dense.count - 1].bias.value = Tensor(shape: [2], data: [0.5, 0.5])
    var trainer = Self(
      config: config, model: model, patches: x, positions: y, validation: validation,
      generator: SeededGenerator(seed: UInt64(config.seed) &+ 0x5EED),
      optimizer: TrainingOptimizer(config))
    print("train: BraggNN, \(model.parameterCount) parameters; \(x.shape[0]) training patches")
    let history = try TrainingLoop(config).run(&trainer)
    let (json, weights) = model.checkpoint(metadata: [
      ("format", "pt"), ("seed", String(config.seed)),
    ])
    try TrainingOutput(config: config, root: root).save(
      json: json, weights: weights, history: history, parameters: model.parameterCount)
  }

  /// Patches `[N, 1, P, P]` and positions `[N, 2]` of one split, read whole.
  static func read(_ path: String, config: TrainConfig, root: String) throws -> (Tensor, Tensor) {
    let file = try HDF5File.open(root + "/" + path)
    defer { file.close() }
    let x = try file.root.inputDataset(config.patches)
    let y = try file.root.inputDataset(config.positions)
    let xs = try x.shape
    let ys = try y.shape
    guard xs.count == 4, xs[1] == 1, xs[2] == xs[3], ys == [xs[0], 2] else {
      throw StageError(
        "\(path): expected \(config.patches) [N, 1, P, P] and \(config.positions) [N, 2]; found \(xs), \(ys)"
      )
    }
    return (
      Tensor(shape: xs, data: try x.read(as: Float.self)),
      Tensor(shape: ys, data: try y.read(as: Float.self))
    )
  }

  /// The learning rate of `epoch` (1-based) under `config.schedule`.
  func learningRate(epoch: Int) -> Double {
    guard config.schedule == "cosine" else { return config.learningRate }
    let progress = Double(epoch - 1) / Double(max(config.epochs, 1))
    return config.learningRate * 0.5 * (1 + Kernels.cosPi(progress))
  }

  /// One pass over the patches at the epoch's learning rate, with progress every tenth.
  mutating func trainEpoch(_ epoch: Int, progress report: (Int, Int, Double) -> Void) throws -> (
    loss: Double, fields: [(key: String, value: Value)]
  ) {
    let rate = learningRate(epoch: epoch)
    optimizer.setLearningRate(Float(rate))
    let progress: (Int, Int, Double) -> Void = { batch, batches, loss in
      report(batch, batches, loss)
      if batch == batches || batch % max(1, batches / 10) == 0 {
        print("  epoch \(epoch) batch \(batch)/\(batches) loss \(TrainingLoop.rounded(loss))")
      }
    }
    let loss = Training.epoch(
      model, patches: patches, targets: positions, batchSize: config.batchSize,
      optimizer: &optimizer, generator: &generator, threads: config.threadCount,
      progress: progress)
    return (loss, config.schedule != "constant" ? [("learning_rate", .double(rate))] : [])
  }

  /// Validation MSE (per coordinate) and mean distance of the predicted peaks in pixels.
  func validate() throws -> (fields: [(key: String, value: Value)], loss: Double)? {
    guard let (vx, vy) = validation else { return nil }
    let prediction = Training.predict(
      model, patches: vx, batchSize: config.batchSize, threads: config.threadCount)
    var mse = 0.0
    var distance = 0.0
    let p = Double(model.configuration.patch)
    for i in 0..<vy.shape[0] {
      let dx = Double(prediction[2 * i] - vy.data[2 * i])
      let dy = Double(prediction[2 * i + 1] - vy.data[2 * i + 1])
      mse += dx * dx + dy * dy
      distance += p * (dx * dx + dy * dy).squareRoot()
    }
    let n = Double(max(vy.shape[0], 1))
    return (
      [
        ("val_loss", .double(TrainingLoop.rounded(mse / (2 * n)))),
        ("val_distance_px", .double(TrainingLoop.rounded(distance / n))),
      ], mse / (2 * n)
    )
  }
}
