internal import FairflowBase
internal import NeuralKit

/// The model-specific parts of training, which `TrainingLoop` calls once per epoch.
protocol EpochTrainer {
  /// The weights kept at the best epoch and put back at the end.
  var parameters: [Parameter] { get }
  /// Trains epoch `epoch` (1-based): the mean training loss and the fields logged after it.
  /// Calls `progress(batch, batches, loss)` as batches (or blocks) finish.
  mutating func trainEpoch(_ epoch: Int, progress: (Int, Int, Double) -> Void) throws -> (
    loss: Double, fields: [(key: String, value: Value)]
  )
  /// The validation fields logged after the training ones and the loss early stopping watches;
  /// nil without a validation split (then it watches the training loss).
  func validate() throws -> (fields: [(key: String, value: Value)], loss: Double)?
}

/// The epoch loop every trainer shares: per epoch it trains, validates, logs an entry (`epoch`,
/// `train_loss`, the model's fields), prints it with the epoch's time and an ETA and stops early
/// after `patience` epochs without improvement; at the end the best epoch's weights are back in
/// the model (`EarlyStopping`). Wall-clock times go to the progress lines only, never to the log:
/// a stage's outputs are the same bits on every run (`fairflow reproduce` compares them).
struct TrainingLoop {
  /// What a finished loop leaves for `TrainingOutput`.
  struct History {
    /// One entry per epoch run.
    var log: [Value]
    var bestEpoch: Int
    /// When training started (`MonotonicClock`).
    var start: Double
  }

  let epochs: Int
  let patience: Int
  /// Where the status line's "epoch 3/10 · batch 40/80 · loss 0.31 · ETA 42 s" goes.
  let status: StageProgress

  init(_ config: TrainConfig, status: StageProgress = .shared) {
    (epochs, patience, self.status) = (config.epochs, config.patience, status)
  }

  /// "epoch 3/10 · batch 40/80 · loss 0.3102 · ETA 42 s" (ETA from the time per batch so far).
  static func progressText(
    epoch: Int, epochs: Int, batch: Int, batches: Int, loss: Double, elapsed: Double
  ) -> String {
    let done = Double(epoch - 1) + Double(batch) / Double(max(batches, 1))
    var text = "epoch \(epoch)/\(epochs) · batch \(batch)/\(batches) · loss \(rounded4(loss))"
    if done > 0, elapsed > 0 {
      text += " · ETA \(Int((elapsed / done * (Double(epochs) - done)).rounded())) s"
    }
    return text
  }

  static func rounded4(_ x: Double) -> Double { (x * 1e4).rounded() / 1e4 }

  func run(_ trainer: inout some EpochTrainer) throws -> History {
    var log: [Value] = []
    var stopping = EarlyStopping(patience: patience)
    let start = MonotonicClock.now()
    for epoch in 1...epochs {
      let epochStart = MonotonicClock.now()
      status.report("epoch \(epoch)/\(epochs)", force: true)
      let (trainLoss, fields) = try trainer.trainEpoch(epoch) { batch, batches, loss in
        status.report(
          Self.progressText(
            epoch: epoch, epochs: epochs, batch: batch, batches: batches, loss: loss,
            elapsed: MonotonicClock.now() - start), force: batch == batches)
      }
      var entry: [(key: String, value: Value)] = [
        ("epoch", .int(epoch)), ("train_loss", .double(Self.rounded(trainLoss))),
      ]
      entry += fields
      var monitored = trainLoss
      if let validation = try trainer.validate() {
        entry += validation.fields
        monitored = validation.loss
      }
      log.append(.map(entry))
      let now = MonotonicClock.now()
      let eta = (now - start) / Double(epoch) * Double(epochs - epoch)
      print(
        "epoch \(epoch)/\(epochs)  "
          + entry.dropFirst().map { "\($0.key) \($0.value.interpolationText)" }.joined(
            separator: "  ")
          + "  \(((now - epochStart) * 10).rounded() / 10) s  ETA \(Int(eta.rounded())) s")
      if stopping.observe(loss: monitored, epoch: epoch, parameters: trainer.parameters) { break }
    }
    stopping.restore(trainer.parameters)
    return History(log: log, bestEpoch: stopping.bestEpoch, start: start)
  }

  /// `x` to six decimals, as the log and the progress lines show losses and times.
  static func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}
