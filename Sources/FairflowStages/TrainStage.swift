public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import HDF5
internal import NeuralKit
internal import Glibc

/// `uses: train`: trains a model on `convert`'s HDF5 output with seeded shuffling, validation
/// each epoch, early stopping and the best epoch's weights kept. See `TrainConfig`.
public struct TrainStage: BuiltinStage {
  public let name = "train"
  public let version = 1

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

/// One HDF5 split as the interaction network reads it, loaded block by block.
struct JetFile {
  let file: HDF5File
  let tracks: HDF5Dataset
  let vertices: HDF5Dataset
  let labels: HDF5Dataset
  let rows: Int
  let trackShape: [Int]
  let vertexShape: [Int]
  let classes: Int

  init(_ path: String, _ c: TrainConfig) throws {
    file = try HDF5File.open(path)
    tracks = try file.root.inputDataset(c.tracks)
    vertices = try file.root.inputDataset(c.vertices)
    labels = try file.root.inputDataset(c.labels)
    let t = try tracks.shape
    let v = try vertices.shape
    let l = try labels.shape
    guard t.count == 3, v.count == 3, l.count == 2, t[0] == v[0], t[0] == l[0] else {
      throw ConvertError(
        "\(path): expected tracks [N, P, N_tracks], vertices [N, S, N_vertices], labels [N, classes]; found \(t), \(v), \(l) (convert with layout: feature-major)"
      )
    }
    rows = t[0]
    trackShape = Array(t.dropFirst())
    vertexShape = Array(v.dropFirst())
    classes = l[1]
  }

  func block(_ range: Range<Int>) throws -> JetSet {
    let t = try tracks.read(rows: range, as: Float.self)
    let v = try vertices.read(rows: range, as: Float.self)
    let l = try labels.read(rows: range, as: Float.self)
    var classesOf: [Int] = []
    for i in 0..<range.count {
      let row = l[(i * classes)..<((i + 1) * classes)]
      classesOf.append(row.firstIndex(of: row.max()!)! - i * classes)
    }
    return JetSet(
      tracks: Tensor(shape: [range.count] + trackShape, data: t),
      vertices: Tensor(shape: [range.count] + vertexShape, data: v), labels: classesOf)
  }
}

struct Trainer {
  let config: TrainConfig
  let root: String

  func clock() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  func run() throws {
    if config.threads > 0 { Training.setThreads(config.threads) }
    Training.reuseLargeAllocations()
    if config.model == "braggnn" { return try runBraggNN() }
    let train = try JetFile(root + "/" + config.train, config)
    let validation = try config.validation.map { try JetFile(root + "/" + $0, config) }
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
    print(
      "train: interaction network, \(model.parameterCount) parameters; \(train.rows) training jets"
        + (validation.map { ", \($0.rows) validation" } ?? ""))
    var log: [Value] = []
    var stopping = EarlyStopping(patience: config.patience)
    let start = clock()
    for epoch in 1...config.epochs {
      let epochStart = clock()
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
            model, set, batchSize: config.batchSize, optimizer: &adam, generator: &generator)
          : Training.epoch(
            model, set, batchSize: config.batchSize, optimizer: &sgd, generator: &generator)
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
      let seconds = clock() - epochStart
      entry.append(("seconds", .double(rounded(seconds))))
      log.append(.map(entry))
      let eta = (clock() - start) / Double(epoch) * Double(config.epochs - epoch)
      print(
        "epoch \(epoch)/\(config.epochs)  "
          + entry.dropFirst().map { "\($0.key) \($0.value.interpolationText)" }.joined(
            separator: "  ")
          + "  ETA \(Int(eta.rounded())) s")
      if stopping.observe(loss: monitored, epoch: epoch, parameters: model.parameters) { break }
    }
    stopping.restore(model.parameters)
    let names = { (d: HDF5Dataset) in (try? d.attributes.strings("features")) ?? [] }
    let (json, weights) = model.checkpoint(
      metadata: [("format", "pt"), ("seed", String(config.seed))],
      trackFeatureNames: names(train.tracks), vertexFeatureNames: names(train.vertices))
    try save(
      json: json, weights: weights, log: log, best: stopping.bestEpoch,
      parameters: model.parameterCount, start: start)
  }

  /// Mean cross-entropy and accuracy over a split.
  func evaluate(_ model: InteractionNetwork, _ file: JetFile) throws -> (Double, Double) {
    var loss = 0.0
    var correct = 0
    for lo in stride(from: 0, to: file.rows, by: config.blockRows) {
      let set = try file.block(lo..<min(file.rows, lo + config.blockRows))
      let probabilities = Training.predict(model, set, batchSize: config.batchSize)
      for (p, label) in zip(probabilities, set.labels) {
        loss -= log(Double(max(p[label], 1e-12)))
        if p.firstIndex(of: p.max()!)! == label { correct += 1 }
      }
    }
    let n = Double(max(file.rows, 1))
    return (loss / n, Double(correct) / n)
  }

  func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}
