internal import FairflowBase
internal import FairflowStore
internal import Plots

/// What a `train` stage writes, all atomically: the model directory (`model.json`,
/// `model.safetensors`, `training-log.json`, `training-curves.svg`) and, when configured, the
/// metrics file (the best epoch's logged values, the epochs run and parameters). No wall-clock time is
/// written: the outputs are the same bits on every run.
struct TrainingOutput {
  let config: TrainConfig
  let root: String

  func save(json: String, weights: [UInt8], history: TrainingLoop.History, parameters: Int)
    throws
  {
    let directory = root + "/" + config.output
    let log = history.log
    try FileIO.writeAtomically(
      Array(Self.curves(log).utf8), to: directory + "/training-curves.svg")
    try FileIO.writeAtomically(weights, to: directory + "/model.safetensors")
    try FileIO.writeAtomically(Array(json.utf8), to: directory + "/model.json")
    try FileIO.writeAtomically(
      Array(Value.list(log).prettyJSON.utf8), to: directory + "/training-log.json")
    if let metrics = config.metrics {
      let best = history.bestEpoch
      var fields: [(key: String, value: Value)] = [
        ("best_epoch", .int(best)), ("epochs_run", .int(log.count)),
        ("parameters", .int(parameters)),
      ]
      if case .map(let last)? = log.first(where: { $0["epoch"] == .int(best) }) {
        fields += last.filter { $0.key != "epoch" }
      }
      try FileIO.writeAtomically(Array(Value.map(fields).prettyJSON.utf8), to: root + "/" + metrics)
    }
  }

  /// Training curves: every numeric per-epoch series except the epoch and time.
  static func curves(_ log: [Value]) -> String {
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
    return SVGPlot(title: "Training curves", xLabel: "epoch", yLabel: "value").lines(series)
  }
}
