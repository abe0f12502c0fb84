public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import HDF5
internal import NeuralKit
internal import Glibc
public import FairflowBase

/// `uses: train`: trains a model on `convert`'s HDF5 output with seeded shuffling, validation
/// each epoch, early stopping and the best epoch's weights kept. See `TrainConfig`.
public struct TrainStage: BuiltinStage {
  public let name = "train"
  public let version = 2  // 2: deterministic kernels (issue 17)

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let raw = Value.map(TrainConfig.keys.compactMap { key in reader.value(key).map { (key, $0) } })
    try reader.finish()
    return try TrainConfig(raw) { reader.error($0, hint: $1) }.value
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let c = try TrainConfig(config) { PipelineError($0, hint: $1) }
    try Trainer(config: c, root: workspace.root).run()
  }
}

struct Trainer {
  let config: TrainConfig
  let root: String

  func run() throws {
    Training.reuseLargeAllocations()
    if config.model == "braggnn" { return try runBraggNN() }
    let trainFile = try HDF5File.open(root + "/" + config.train)
    defer { trainFile.close() }
    let kept = try keptFeatures(trainFile)
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
    let model = InteractionNetwork(architecture, seed: UInt64(config.seed))
    var generator = SeededGenerator(seed: UInt64(config.seed) &+ 0x5EED)
    var adam = Adam(
      learningRate: Float(config.learningRate), weightDecay: Float(config.weightDecay))
    var sgd = SGD(
      learningRate: Float(config.learningRate), momentum: Float(config.momentum),
      weightDecay: Float(config.weightDecay))
    adam.warmupSteps = config.warmupSteps
    sgd.warmupSteps = config.warmupSteps
    print(
      "train: interaction network, \(model.parameterCount) parameters; \(train.rows) training jets"
        + (validation.map { ", \($0.rows) validation" } ?? ""))
    if !kept.dropped.isEmpty {
      print(
        "train: left out \(kept.dropped.count) features: \(kept.dropped.joined(separator: ", "))")
    }
    var log: [Value] = []
    var stopping = EarlyStopping(patience: config.patience)
    let start = MonotonicClock.now()
    for epoch in 1...config.epochs {
      let epochStart = MonotonicClock.now()
      var blocks = Array(stride(from: 0, to: train.rows, by: config.blockRows))
      if blocks.count > 1 {
        for i in stride(from: blocks.count - 1, to: 0, by: -1) {
          blocks.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
      }
      var lossSum = 0.0
      var seen = 0
      for (b, lo) in blocks.enumerated() {
        let set = try train.block(lo..<min(train.rows, lo + config.blockRows))
        let loss =
          config.optimizer == "adam"
          ? Training.epoch(
            model, set, batchSize: config.batchSize, optimizer: &adam, generator: &generator,
            threads: config.threadCount)
          : Training.epoch(
            model, set, batchSize: config.batchSize, optimizer: &sgd, generator: &generator,
            threads: config.threadCount)
        lossSum += loss * Double(set.count)
        seen += set.count
        if blocks.count > 1 {
          print("  epoch \(epoch) block \(b + 1)/\(blocks.count) loss \(rounded(loss))")
        }
      }
      let trainLoss = lossSum / Double(max(seen, 1))
      var entry: [(key: String, value: Value)] = [
        ("epoch", .int(epoch)), ("train_loss", .double(rounded(trainLoss))),
      ]
      var monitored = trainLoss
      if let validation {
        let (loss, accuracy) = try evaluate(model, validation)
        entry += [
          ("val_loss", .double(rounded(loss))), ("val_accuracy", .double(rounded(accuracy))),
        ]
        monitored = loss
      }
      let seconds = MonotonicClock.now() - epochStart
      entry.append(("seconds", .double(rounded(seconds))))
      log.append(.map(entry))
      let eta = (MonotonicClock.now() - start) / Double(epoch) * Double(config.epochs - epoch)
      print(
        "epoch \(epoch)/\(config.epochs)  "
          + entry.dropFirst().map { "\($0.key) \($0.value.interpolationText)" }.joined(
            separator: "  ")
          + "  ETA \(Int(eta.rounded())) s")
      if stopping.observe(loss: monitored, epoch: epoch, parameters: model.parameters) { break }
    }
    stopping.restore(model.parameters)
    let named = !JetInputs.names(train.tracks).isEmpty && !JetInputs.names(train.vertices).isEmpty
    var metadata = [("format", "pt"), ("seed", String(config.seed))]
    if !kept.dropped.isEmpty {
      metadata.append(("dropped_features", kept.dropped.joined(separator: ",")))
    }
    let (json, weights) = model.checkpoint(
      metadata: metadata, trackFeatureNames: named ? train.trackNames : [],
      vertexFeatureNames: named ? train.vertexNames : [])
    try save(
      json: json, weights: weights, log: log, best: stopping.bestEpoch,
      parameters: model.parameterCount, start: start)
  }

  /// The features to train on: every feature of the training file but those dropped by name
  /// (`drop_features`) or by their masking ΔAUC (`drop_below`). Empty lists = all, as is.
  func keptFeatures(_ file: HDF5File) throws -> (
    tracks: [String], vertices: [String], dropped: [String]
  ) {
    var dropped = config.dropFeatures
    if let d = config.dropUnimportant {
      let result = try ValueParser.parse(
        try FileIO.readText(root + "/" + d.interpret), file: d.interpret)
      guard let masking = result["masking"] else {
        throw StageError(
          "\(d.interpret) has no masking result (run interpret with method masking)")
      }
      for (collection, limit) in [("tracks", d.tracks), ("vertices", d.vertices)] {
        // Smallest ΔAUC first; ties keep the file's order.
        let ranked = (masking[collection]?.listValue ?? []).enumerated().compactMap {
          i, entry -> (Int, String, Double)? in
          guard let name = entry["feature"]?.stringValue,
            let delta = entry["delta_auc_percent"]?.doubleValue
          else { return nil }
          return (i, name, delta)
        }.sorted { ($0.2, $0.0) < ($1.2, $1.0) }
        var chosen = ranked
        if let below = d.below { chosen = chosen.filter { $0.2 < below } }
        if let limit {
          chosen = Array(chosen.prefix(limit))
        } else if d.below == nil {
          chosen = []  // counts given for the other collection only
        }
        for (_, name, _) in chosen where !dropped.contains(name) { dropped.append(name) }
      }
    }
    guard !dropped.isEmpty else { return ([], [], []) }
    let tracks = JetInputs.names(try file.root.inputDataset(config.tracks))
    let vertices = JetInputs.names(try file.root.inputDataset(config.vertices))
    guard !tracks.isEmpty, !vertices.isEmpty else {
      throw StageError(
        "\(config.train) does not name its features, so none can be dropped (convert names them)")
    }
    let all = tracks + vertices
    for name in dropped where !all.contains(name) {
      throw StageError(
        "cannot drop '\(name)': \(config.train) has no such feature"
          + (Suggestion.hint(for: name, in: all).map { " (\($0))" } ?? ""))
    }
    let kept = (tracks.filter { !dropped.contains($0) }, vertices.filter { !dropped.contains($0) })
    guard !kept.0.isEmpty, !kept.1.isEmpty else {
      throw StageError(
        "dropping \(dropped.count) features would leave no track or no vertex feature")
    }
    return (kept.0, kept.1, dropped)
  }

  /// Mean cross-entropy and accuracy over a split.
  func evaluate(_ model: InteractionNetwork, _ file: JetInputs) throws -> (Double, Double) {
    var loss = 0.0
    var correct = 0
    for lo in stride(from: 0, to: file.rows, by: config.blockRows) {
      let set = try file.block(lo..<min(file.rows, lo + config.blockRows))
      let probabilities = Training.predict(
        model, set, batchSize: config.batchSize, threads: config.threadCount)
      for (p, label) in zip(probabilities, set.labels) {
        loss -= Kernels.log(Double(max(p[label], 1e-12)))
        if p.firstIndex(of: p.max()!)! == label { correct += 1 }
      }
    }
    let n = Double(max(file.rows, 1))
    return (loss / n, Double(correct) / n)
  }

  func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}
