internal import FairflowBase
internal import HDF5
internal import NeuralKit

/// `train` for the interaction network: jets read from `convert`'s HDF5 splits in shuffled
/// blocks of `block_rows`, cross-entropy, validation loss and accuracy each epoch; features may
/// be left out (`FeatureSelection`). The epoch loop is `TrainingLoop`'s.
struct InteractionNetworkTrainer: EpochTrainer {
  let config: TrainConfig
  let model: InteractionNetwork
  let train: JetInputs
  let validation: JetInputs?
  var generator: SeededGenerator
  var optimizer: TrainingOptimizer

  var parameters: [Parameter] { model.parameters }

  /// Trains on the configured splits and writes the model directory and metrics.
  static func run(_ config: TrainConfig, root: String) throws {
    let trainFile = try HDF5File.open(root + "/" + config.train)
    defer { trainFile.close() }
    let kept = try FeatureSelection(config, root: root, file: trainFile)
    let train = try JetInputs(
      file: trainFile, path: config.train, tracks: config.tracks, vertices: config.vertices,
      labels: config.labels, wantedTracks: kept.tracks, wantedVertices: kept.vertices)
    let validationFile = try config.validation.map { try HDF5File.open(root + "/" + $0) }
    defer { validationFile?.close() }
    let validation = try validationFile.map {
      try JetInputs(
        file: $0, path: config.validation ?? "", tracks: config.tracks,
        vertices: config.vertices, labels: config.labels,
        wantedTracks: kept.tracks.isEmpty ? nil : train.trackNames,
        wantedVertices: kept.vertices.isEmpty ? nil : train.vertexNames,
        expectedTracks: train.trackShape[0], expectedVertices: train.vertexShape[0])
    }
    var trainer = Self(
      config: config,
      model: InteractionNetwork(architecture(config, train), seed: UInt64(config.seed)),
      train: train, validation: validation,
      generator: SeededGenerator(seed: UInt64(config.seed) &+ 0x5EED),
      optimizer: TrainingOptimizer(config))
    trainer.announce(dropped: kept.dropped)
    let history = try TrainingLoop(config).run(&trainer)
    try trainer.save(history, dropped: kept.dropped, root: root)
  }

  /// The data's dimensions with the configured widths.
  static func architecture(_ config: TrainConfig, _ train: JetInputs)
    -> InteractionNetwork.Configuration
  {
    var architecture = InteractionNetwork.Configuration()
    (architecture.trackFeatures, architecture.tracks) = (train.trackShape[0], train.trackShape[1])
    (architecture.vertexFeatures, architecture.vertices) = (
      train.vertexShape[0], train.vertexShape[1]
    )
    architecture.classes = train.classes
    for (key, value) in config.architecture {
      switch key {
      case "hidden": architecture.hidden = value.intValue ?? architecture.hidden
      case "edge_features": architecture.edgeFeatures = value.intValue ?? architecture.edgeFeatures
      case "output_features":
        architecture.outputFeatures = value.intValue ?? architecture.outputFeatures
      default:
        break  // data dimensions come from the files
      }
    }
    return architecture
  }

  private func announce(dropped: [String]) {
    print(
      "train: interaction network, \(model.parameterCount) parameters; \(train.rows) training jets"
        + (validation.map { ", \($0.rows) validation" } ?? ""))
    if !dropped.isEmpty {
      print("train: left out \(dropped.count) features: \(dropped.joined(separator: ", "))")
    }
  }

  /// One pass over the training jets, block by block in a seeded order.
  mutating func trainEpoch(_ epoch: Int, progress: (Int, Int, Double) -> Void) throws -> (
    loss: Double, fields: [(key: String, value: Value)]
  ) {
    var blocks = Array(stride(from: 0, to: train.rows, by: config.blockRows))
    if blocks.count > 1 {
      for i in stride(from: blocks.count - 1, to: 0, by: -1) {
        blocks.swapAt(i, Int(generator.next() % UInt64(i + 1)))
      }
    }
    var lossSum = 0.0
    var seen = 0
    let size = max(config.batchSize, 1)
    let totalBatches = blocks.reduce(0) { total, lo in
      total + (min(train.rows, lo + config.blockRows) - lo + size - 1) / size
    }
    var batchesDone = 0
    var batchLossSum = 0.0
    for (b, lo) in blocks.enumerated() {
      let set = try train.block(lo..<min(train.rows, lo + config.blockRows))
      let loss = Training.epoch(
        model, set, batchSize: config.batchSize, optimizer: &optimizer, generator: &generator,
        threads: config.threadCount
      ) { batch, _, running in
        // Counted over the whole epoch (all blocks); the loss is the mean over its batches.
        progress(
          batchesDone + batch, totalBatches,
          (batchLossSum + running * Double(batch)) / Double(batchesDone + batch))
      }
      let blockBatches = (set.count + size - 1) / size
      batchesDone += blockBatches
      batchLossSum += loss * Double(blockBatches)
      lossSum += loss * Double(set.count)
      seen += set.count
      if blocks.count > 1 {
        print("  epoch \(epoch) block \(b + 1)/\(blocks.count) loss \(TrainingLoop.rounded(loss))")
      }
    }
    return (lossSum / Double(max(seen, 1)), [])
  }

  /// Mean cross-entropy and accuracy over the validation split.
  func validate() throws -> (fields: [(key: String, value: Value)], loss: Double)? {
    guard let validation else { return nil }
    var loss = 0.0
    var correct = 0
    for lo in stride(from: 0, to: validation.rows, by: config.blockRows) {
      let set = try validation.block(lo..<min(validation.rows, lo + config.blockRows))
      let probabilities = Training.predict(
        model, set, batchSize: config.batchSize, threads: config.threadCount)
      for (p, label) in zip(probabilities, set.labels) {
        loss -= Kernels.log(Double(max(p[label], 1e-12)))
        if p.firstIndex(of: p.max()!)! == label { correct += 1 }
      }
    }
    let n = Double(max(validation.rows, 1))
    let (mean, accuracy) = (loss / n, Double(correct) / n)
    return (
      [
        ("val_loss", .double(TrainingLoop.rounded(mean))),
        ("val_accuracy", .double(TrainingLoop.rounded(accuracy))),
      ], mean
    )
  }

  /// The checkpoint (feature names when the splits name them) and the training outputs.
  private func save(_ history: TrainingLoop.History, dropped: [String], root: String) throws {
    let named = !JetInputs.names(train.tracks).isEmpty && !JetInputs.names(train.vertices).isEmpty
    var metadata = [("format", "pt"), ("seed", String(config.seed))]
    if !dropped.isEmpty { metadata.append(("dropped_features", dropped.joined(separator: ","))) }
    let (json, weights) = model.checkpoint(
      metadata: metadata, trackFeatureNames: named ? train.trackNames : [],
      vertexFeatureNames: named ? train.vertexNames : [])
    try TrainingOutput(config: config, root: root).save(
      json: json, weights: weights, history: history, parameters: model.parameterCount)
  }
}
