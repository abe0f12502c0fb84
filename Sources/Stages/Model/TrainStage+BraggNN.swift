public import StageSupport
internal import FairflowCore
internal import FairflowStore
internal import Glibc
internal import HDF5
internal import NeuralKit
internal import Plots
import FairflowBase

extension Trainer {
  /// Patches `[N, 1, P, P]` and positions `[N, 2]` of one split, read whole.
  func patches(_ path: String) throws -> (Tensor, Tensor) {
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

  /// BraggNN regression: MSE on positions; validation MSE and mean peak error in pixels.
  func runBraggNN() throws {
    let (x, y) = try patches(config.train)
    let validation = try config.validation.map { try patches($0) }
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
    var generator = SeededGenerator(seed: UInt64(config.seed) &+ 0x5EED)
    var adam = Adam(
      learningRate: Float(config.learningRate), weightDecay: Float(config.weightDecay))
    var sgd = SGD(
      learningRate: Float(config.learningRate), momentum: Float(config.momentum),
      weightDecay: Float(config.weightDecay))
    adam.warmupSteps = config.warmupSteps
    sgd.warmupSteps = config.warmupSteps
    print("train: BraggNN, \(model.parameterCount) parameters; \(x.shape[0]) training patches")
    var log: [Value] = []
    var stopping = EarlyStopping(patience: config.patience)
    let start = MonotonicClock.now()
    for epoch in 1...config.epochs {
      let epochStart = MonotonicClock.now()
      let rate = learningRate(epoch: epoch)
      (adam.learningRate, sgd.learningRate) = (Float(rate), Float(rate))
      let progress: (Int, Int, Double) -> Void = { batch, batches, loss in
        if batch == batches || batch % max(1, batches / 10) == 0 {
          print("  epoch \(epoch) batch \(batch)/\(batches) loss \(rounded(loss))")
        }
      }
      let trainLoss =
        config.optimizer == "adam"
        ? Training.epoch(
          model, patches: x, targets: y, batchSize: config.batchSize, optimizer: &adam,
          generator: &generator, threads: config.threadCount, progress: progress)
        : Training.epoch(
          model, patches: x, targets: y, batchSize: config.batchSize, optimizer: &sgd,
          generator: &generator, threads: config.threadCount, progress: progress)
      var entry: [(key: String, value: Value)] = [
        ("epoch", .int(epoch)), ("train_loss", .double(rounded(trainLoss))),
      ]
      if config.schedule != "constant" { entry.append(("learning_rate", .double(rate))) }
      var monitored = trainLoss
      if let (vx, vy) = validation {
        let prediction = Training.predict(
          model, patches: vx, batchSize: config.batchSize, threads: config.threadCount)
        var mse = 0.0
        var distance = 0.0
        let p = Double(architecture.patch)
        for i in 0..<vy.shape[0] {
          let dx = Double(prediction[2 * i] - vy.data[2 * i])
          let dy = Double(prediction[2 * i + 1] - vy.data[2 * i + 1])
          mse += dx * dx + dy * dy
          distance += p * (dx * dx + dy * dy).squareRoot()
        }
        let n = Double(max(vy.shape[0], 1))
        entry += [
          ("val_loss", .double(rounded(mse / (2 * n)))),
          ("val_distance_px", .double(rounded(distance / n))),
        ]
        monitored = mse / (2 * n)
      }
      entry.append(("seconds", .double(rounded(MonotonicClock.now() - epochStart))))
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
    let (json, weights) = model.checkpoint(metadata: [
      ("format", "pt"), ("seed", String(config.seed)),
    ])
    try save(
      json: json, weights: weights, log: log, best: stopping.bestEpoch,
      parameters: model.parameterCount, start: start)
  }

  /// The learning rate of `epoch` (1-based) under `config.schedule`.
  func learningRate(epoch: Int) -> Double {
    guard config.schedule == "cosine" else { return config.learningRate }
    let progress = Double(epoch - 1) / Double(max(config.epochs, 1))
    return config.learningRate * 0.5 * (1 + Kernels.cosPi(progress))
  }

  /// Writes the model directory, the training log and the metrics file (all atomically).
  func save(json: String, weights: [UInt8], log: [Value], best: Int, parameters: Int, start: Double)
    throws
  {
    let directory = root + "/" + config.output
    // Training curves: every numeric per-epoch series except the epoch and time.
    var series: [SVGPlot.Series] = []
    for key in ["train_loss", "val_loss", "val_accuracy", "val_distance_px"] {
      let points = log.compactMap { e -> (Double, Double)? in
        guard let epoch = e["epoch"]?.intValue, let v = e[key] else { return nil }
        switch v {
        case .double(let d): return (Double(epoch), d)
        case .int(let i): return (Double(epoch), Double(i))
        default: return nil
        }
      }
      if !points.isEmpty { series.append(.init(name: key, x: points.map(\.0), y: points.map(\.1))) }
    }
    try FileIO.writeAtomically(
      Array(SVGPlot(title: "Training curves", xLabel: "epoch", yLabel: "value").lines(series).utf8),
      to: directory + "/training-curves.svg")
    try FileIO.writeAtomically(weights, to: directory + "/model.safetensors")
    try FileIO.writeAtomically(Array(json.utf8), to: directory + "/model.json")
    try FileIO.writeAtomically(
      Array(Value.list(log).prettyJSON.utf8), to: directory + "/training-log.json")
    if let metrics = config.metrics {
      var fields: [(key: String, value: Value)] = [
        ("best_epoch", .int(best)), ("epochs_run", .int(log.count)),
        ("parameters", .int(parameters)),
        ("seconds", .double(rounded(MonotonicClock.now() - start))),
      ]
      if case .map(let last)? = log.first(where: { $0["epoch"] == .int(best) }) {
        fields += last.filter { $0.key != "epoch" && $0.key != "seconds" }
      }
      try FileIO.writeAtomically(Array(Value.map(fields).prettyJSON.utf8), to: root + "/" + metrics)
    }
  }
}
