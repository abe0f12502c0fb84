import FairflowBase
import FairflowCore
import FairflowTesting
import Testing

@testable import ModelStages

/// `uses: train`: the configuration's checks and normal form, and one-epoch trainings of both
/// models on generated splits.
@Suite struct TrainStageTests {
  static let minimal =
    #"{"model": "interaction-network", "train": "t.h5", "output": "m"}"#

  @Test(arguments: [
    (#"{"train": "t.h5", "output": "m"}"#, "train needs 'model'"),
    (#"{"model": "resnet", "train": "t.h5", "output": "m"}"#, "unknown model 'resnet'"),
    (#"{"model": "braggnn", "output": "m"}"#, "train needs 'train'"),
    (#"{"model": "braggnn", "train": "t.h5"}"#, "train needs 'output'"),
    (#"{"model": "braggnn", "train": 3, "output": "m"}"#, "'train' must be a string"),
    (
      #"{"model": "braggnn", "architecture": {"hidden": 4}, "train": "t.h5", "output": "m"}"#,
      "unknown architecture key 'hidden' for braggnn"
    ),
    (
      #"{"model": "braggnn", "architecture": {"dense": [4, 0]}, "train": "t.h5", "output": "m"}"#,
      "'architecture.dense' must be a list of positive integers"
    ),
    (
      #"{"model": "interaction-network", "architecture": {"hidden": 0}, "train": "t.h5", "output": "m"}"#,
      "'architecture.hidden' must be a positive integer"
    ),
    (
      #"{"model": "braggnn", "architecture": 3, "train": "t.h5", "output": "m"}"#,
      "'architecture' must be a mapping"
    ),
    (
      #"{"model": "braggnn", "train": "t.h5", "output": "m", "epochs": 0}"#,
      "'epochs' must be an integer ≥ 1"
    ),
    (
      #"{"model": "braggnn", "train": "t.h5", "output": "m", "seed": 1.5}"#,
      "'seed' must be an integer ≥ 0"
    ),
    (
      #"{"model": "braggnn", "train": "t.h5", "output": "m", "momentum": "lots"}"#,
      "'momentum' must be a number"
    ),
    (
      #"{"model": "braggnn", "train": "t.h5", "output": "m", "optimizer": "rmsprop"}"#,
      "'optimizer' must be adam or sgd"
    ),
    (
      #"{"model": "braggnn", "train": "t.h5", "output": "m", "learning_rate": 0}"#,
      "'learning_rate' must be positive"
    ),
    (
      #"{"model": "interaction-network", "train": "t.h5", "output": "m", "schedule": "cosine"}"#,
      "'schedule' must be constant or cosine"
    ),
    (
      #"{"model": "braggnn", "train": "t.h5", "output": "m", "drop_features": ["a"]}"#,
      "'drop_features' and 'drop_unimportant' apply to the interaction network"
    ),
    (
      #"{"model": "interaction-network", "train": "t.h5", "output": "m", "drop_features": "a"}"#,
      "'drop_features' must be a list of feature names"
    ),
    (
      #"{"model": "interaction-network", "train": "t.h5", "output": "m", "drop_unimportant": {"interpret": "i.json"}}"#,
      "'drop_unimportant' must be {interpret: FILE, tracks: N, vertices: N, below: ΔAUC %}"
    ),
    (
      #"{"model": "interaction-network", "train": "t.h5", "output": "m", "epoch": 3}"#,
      "unknown key 'epoch' in 'with' of stage 's'"
    ),
  ])
  func invalidConfiguration(_ with: String, _ problem: String) throws {
    #expect(try ModelFixtures.problem(TrainStage(), with) == problem)
  }

  @Test func hintsNameTheFix() throws {
    let unknown = try #require(
      try ModelFixtures.failure(
        TrainStage(), #"{"model": "braggnn", "train": "t.h5", "output": "m", "epoch": 3}"#))
    #expect(unknown.hint == "did you mean 'epochs'?")
    let model = try #require(
      try ModelFixtures.failure(
        TrainStage(), #"{"model": "resnet", "train": "t.h5", "output": "m"}"#))
    #expect(model.hint == "available: braggnn, interaction-network")
    let schedule = try #require(
      try ModelFixtures.failure(
        TrainStage(),
        #"{"model": "interaction-network", "train": "t.h5", "output": "m", "schedule": "cosine"}"#))
    #expect(schedule.hint == "cosine is implemented for model: braggnn")
  }

  /// The normal form keeps the old fingerprints: every default present with its old kind (.int,
  /// .double), `schedule`, `warmup_steps` and the drops only when set.
  @Test func normalisedConfiguration() throws {
    let value = try ModelFixtures.normalised(TrainStage(), Self.minimal)
    let expected = Value.map([
      ("model", .string("interaction-network")), ("architecture", .map([])),
      ("train", .string("t.h5")), ("validation", .null), ("tracks", .string("tracks")),
      ("vertices", .string("vertices")), ("labels", .string("labels")),
      ("patches", .string("patch")), ("positions", .string("ploc")), ("epochs", .int(10)),
      ("batch_size", .int(128)), ("optimizer", .string("adam")), ("learning_rate", .double(0.001)),
      ("weight_decay", .double(0)), ("momentum", .double(0)), ("patience", .int(5)),
      ("block_rows", .int(65536)), ("seed", .int(1)), ("threads", .int(0)),
      ("output", .string("m")), ("metrics", .null),
    ])
    #expect(value == expected)
    let full = try ModelFixtures.normalised(
      TrainStage(),
      #"{"model": "braggnn", "train": "t.h5", "output": "m", "schedule": "cosine", "warmup_steps": 5, "learning_rate": "0.01", "epochs": 3.0, "validation": null}"#
    )
    #expect(full["schedule"] == .string("cosine") && full["warmup_steps"] == .int(5))
    #expect(full["learning_rate"] == .double(0.01) && full["epochs"] == .int(3))
    #expect(full["validation"] == .null)
    let drops = try ModelFixtures.normalised(
      TrainStage(),
      #"{"model": "interaction-network", "train": "t.h5", "output": "m", "drop_features": ["a"], "drop_unimportant": {"interpret": "i.json", "tracks": 2, "below": 1}}"#
    )
    #expect(drops["drop_features"] == .list([.string("a")]))
    #expect(
      drops["drop_unimportant"]
        == .map([("interpret", .string("i.json")), ("tracks", .int(2)), ("below", .double(1))]))
    // Decoding the normal form again gives the same configuration (what exec-stage does).
    let again = try TrainConfig(drops) { PipelineError($0, hint: $1) }
    #expect(again.value == drops)
  }

  @Test func interactionNetworkTrainsAndRetrainsToTheSameBytes() async throws {
    let ws = try TemporaryWorkspace("train-in")
    defer { ws.destroy() }
    try ModelFixtures.writeJetSplits(ws)
    let stages = ModelFixtures.trainStage(
      epochs: 2, extra: "\n      block_rows: 40\n      metrics: metrics/train.json")
    try await ModelFixtures.run(stages, ["train"], in: ws)
    let log = try ModelFixtures.json(ws, "models/in/training-log.json")
    let entries = try #require(log.listValue)
    #expect(entries.count == 2)
    guard case .map(let first) = entries[0] else { throw Failure("log entry is not a map") }
    #expect(first.map(\.key) == ["epoch", "train_loss", "val_loss", "val_accuracy"])
    let metrics = try ModelFixtures.json(ws, "metrics/train.json")
    #expect(metrics["epochs_run"] == .int(2))
    #expect([.int(1), .int(2)].contains(metrics["best_epoch"]))
    #expect(metrics["val_accuracy"]?.doubleValue.map { $0 >= 0 && $0 <= 1 } == true)
    #expect(try ws.read("models/in/model.json").contains("\"track_pt\""))
    #expect(try ws.read("models/in/training-curves.svg").hasPrefix("<svg"))
    let weights = try ws.readBytes("models/in/model.safetensors")
    try await ModelFixtures.run(stages, ["train"], in: ws)
    #expect(try ws.readBytes("models/in/model.safetensors") == weights)
  }

  @Test func droppedFeaturesAreLeftOutAndRecorded() async throws {
    let ws = try TemporaryWorkspace("train-drop")
    defer { ws.destroy() }
    try ModelFixtures.writeJetSplits(ws)
    try await ModelFixtures.run(
      ModelFixtures.trainStage(extra: "\n      drop_features: [track_phi, sv_pt]"), ["train"],
      in: ws)
    let json = try ws.read("models/in/model.json")
    #expect(json.contains("\"track_features\": 3") && json.contains("\"vertex_features\": 1"))
    #expect(json.contains("\"track_pt\"") && !json.contains("\"track_phi\""))
    let header = String(decoding: try ws.readBytes("models/in/model.safetensors"), as: UTF8.self)
    #expect(header.contains("track_phi,sv_pt"), "the checkpoint records what was left out")
    let misspelt = ModelFixtures.trainStage(extra: "\n      drop_features: [track_phj]")
    await #expect {
      try await ModelFixtures.run(misspelt, ["train"], in: ws)
    } throws: { error in
      "\(error)"
        == "cannot drop 'track_phj': features/train.h5 has no such feature (did you mean 'track_phi'?)"
    }
  }

  @Test func braggNNTrainsWithACosineSchedule() async throws {
    let ws = try TemporaryWorkspace("train-bragg")
    defer { ws.destroy() }
    try ModelFixtures.writePeaks(ws, "patches/train.h5", count: 40, seed: 1)
    try ModelFixtures.writePeaks(ws, "patches/validation.h5", count: 16, seed: 2)
    try await ModelFixtures.run(
      """
        train:
          uses: train
          outs: [models/bragg]
          with: {model: braggnn, train: patches/train.h5, validation: patches/validation.h5,
                 epochs: 2, batch_size: 16, learning_rate: 0.002, schedule: cosine, seed: 1,
                 threads: 1, output: models/bragg, metrics: metrics/bragg.json}

      """, ["train"], in: ws)
    let log = try #require(try ModelFixtures.json(ws, "models/bragg/training-log.json").listValue)
    #expect(log.count == 2)
    #expect(log[0]["learning_rate"] == .double(0.002))
    #expect(log[1]["learning_rate"]?.doubleValue.map { abs($0 - 0.001) < 1e-12 } == true)
    guard case .map(let first) = log[0] else { throw Failure("log entry is not a map") }
    #expect(
      first.map(\.key) == [
        "epoch", "train_loss", "learning_rate", "val_loss", "val_distance_px",
      ])
    let metrics = try ModelFixtures.json(ws, "metrics/bragg.json")
    #expect(metrics["parameters"] == .int(33_172))
    #expect(metrics["val_distance_px"] != nil)
  }
}

/// A test's own failure with a message.
struct Failure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
