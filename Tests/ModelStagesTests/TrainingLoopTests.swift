import FairflowBase
import FairflowCore
import Foundation
import NeuralKit
import Testing

@testable import ModelStages

/// `TrainingLoop`, the epoch loop both trainers share, driven by a scripted trainer: the log's
/// fields and order, early stopping, the best epoch's weights put back, what is monitored.
@Suite struct TrainingLoopTests {
  /// Losses per epoch from a script; the one weight holds the epoch number after each epoch.
  struct Scripted: EpochTrainer {
    let weight = Parameter(name: "w", value: Tensor(shape: [1], data: [0]))
    var trainLosses: [Double]
    var validationLosses: [Double]?
    var epochsRun = 0

    var parameters: [Parameter] { [weight] }

    mutating func trainEpoch(_ epoch: Int, progress: (Int, Int, Double) -> Void) throws -> (
      loss: Double, fields: [(key: String, value: Value)]
    ) {
      progress(1, 2, trainLosses[epoch - 1] + 1)
      progress(2, 2, trainLosses[epoch - 1])
      epochsRun = epoch
      weight.value = Tensor(shape: [1], data: [Float(epoch)])
      return (trainLosses[epoch - 1], [("extra", .int(epoch * 10))])
    }

    func validate() throws -> (fields: [(key: String, value: Value)], loss: Double)? {
      guard let validationLosses else { return nil }
      return (
        [("val_loss", .double(validationLosses[epochsRun - 1]))], validationLosses[epochsRun - 1]
      )
    }
  }

  func loop(epochs: Int, patience: Int, status: StageProgress = StageProgress(path: nil)) throws
    -> TrainingLoop
  {
    TrainingLoop(
      try TrainConfig(
        .map([
          ("model", .string("braggnn")), ("train", .string("t.h5")), ("output", .string("m")),
          ("epochs", .int(epochs)), ("patience", .int(patience)),
        ])
      ) { PipelineError($0, hint: $1) }, status: status)
  }

  @Test func progressGoesToTheStatusFile() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "fairflow-progress-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("train.progress").path
    var trainer = Scripted(trainLosses: [3, 2])
    _ = try loop(epochs: 2, patience: 5, status: StageProgress(path: file)).run(&trainer)
    let text = try #require(StageProgress.read(file))
    #expect(text.hasPrefix("epoch 2/2 · batch 2/2 · loss 2.0 · ETA "), "\(text)")
    #expect(
      TrainingLoop.progressText(
        epoch: 2, epochs: 4, batch: 50, batches: 100, loss: 0.123456, elapsed: 30)
        == "epoch 2/4 · batch 50/100 · loss 0.1235 · ETA 50 s")
  }

  @Test func stopsAfterPatienceAndRestoresTheBestEpoch() throws {
    var trainer = Scripted(trainLosses: [3, 2, 2.5, 2.6, 2.7, 1])
    let history = try loop(epochs: 6, patience: 2).run(&trainer)
    #expect(trainer.epochsRun == 4, "epochs 3 and 4 do not improve on epoch 2")
    #expect(history.bestEpoch == 2)
    #expect(history.log.count == 4)
    #expect(trainer.weight.value.data == [2], "epoch 2's weights are back")
    guard case .map(let entry) = history.log[1] else { throw Failure("entry is not a map") }
    #expect(entry.map(\.key) == ["epoch", "train_loss", "extra"])
    #expect(history.log[1]["train_loss"] == .double(2))
    #expect(history.log[1]["extra"] == .int(20))
  }

  @Test func validationLossIsMonitoredWhenThereIsOne() throws {
    var trainer = Scripted(trainLosses: [3, 2, 1], validationLosses: [1, 2, 3])
    let history = try loop(epochs: 3, patience: 5).run(&trainer)
    #expect(trainer.epochsRun == 3)
    #expect(history.bestEpoch == 1, "validation loss is lowest after epoch 1")
    #expect(trainer.weight.value.data == [1])
    guard case .map(let entry) = history.log[0] else { throw Failure("entry is not a map") }
    #expect(entry.map(\.key) == ["epoch", "train_loss", "extra", "val_loss"])
  }

  @Test func lossesAreLoggedToSixDecimals() {
    #expect(TrainingLoop.rounded(0.123_456_789) == 0.123457)
    #expect(TrainingLoop.rounded(2) == 2)
  }
}
