import FairflowBase
import FairflowCore
import FairflowTesting
import Metrics
import Testing

@testable import ModelStages

/// `uses: evaluate`: its configuration (gates through `Gate.parse`) and small runs of both
/// models on generated test splits.
@Suite struct EvaluateStageTests {
  static let base = #""model": "m", "data": "t.h5", "output": "e.json""#

  @Test(arguments: [
    (#"{"model": "m", "output": "e.json"}"#, "'with' of stage 's' needs 'data'"),
    (#"{"model": "m", "data": "t.h5"}"#, "'with' of stage 's' needs 'output'"),
    (
      "{\(base), \"gates\": [1]}",
      "'gates' must map metric names to {min, max, max_drop, max_rise}"
    ),
    ("{\(base), \"gates\": {\"auc\": {}}}", "gate 'auc' needs min, max, max_drop or max_rise"),
    ("{\(base), \"gates\": {\"auc\": {\"min\": \"high\"}}}", "gate 'auc': 'min' must be a number"),
    (
      "{\(base), \"gates\": {\"auc\": {\"minimum\": 1}}}",
      "gate 'auc': unknown key 'minimum' (min, max, max_drop, max_rise)"
    ),
    ("{\(base), \"plots\": 3}", "'plots' must be a directory (declared in outs)"),
    ("{\(base), \"baseline\": [\"a\"]}", "'baseline' must be a metrics file path"),
    ("{\(base), \"gate\": {}}", "unknown key 'gate' in 'with' of stage 's'"),
  ])
  func invalidConfiguration(_ with: String, _ problem: String) throws {
    #expect(try ModelFixtures.problem(EvaluateStage(), with) == problem)
  }

  @Test func messagesNameTheStage() throws {
    #expect(
      try ModelFixtures.problem(EvaluateStage(), #"{"model": "m"}"#, stage: "evaluate@seed=1")
        == "'with' of stage 'evaluate@seed=1' needs 'data'")
  }

  @Test func normalFormKeepsGatesAsNumbersAndOptionsOnlyWhenGiven() throws {
    let plain = try ModelFixtures.normalised(EvaluateStage(), "{\(Self.base)}")
    #expect(
      plain
        == .map([("model", .string("m")), ("data", .string("t.h5")), ("output", .string("e.json"))])
    )
    let full = try ModelFixtures.normalised(
      EvaluateStage(),
      "{\(Self.base), \"gates\": {\"auc\": {\"min\": 1, \"max_drop\": 0.01}}, \"plots\": \"p\", \"baseline\": \"b.json\"}"
    )
    #expect(
      full["gates"]
        == .map([("auc", .map([("min", .double(1)), ("max_drop", .double(0.01))]))]))
    #expect(full["plots"] == .string("p") && full["baseline"] == .string("b.json"))
    #expect(
      try ModelFixtures.normalised(EvaluateStage(), "{\(Self.base), \"gates\": {}}")["gates"]
        == .map([]))
  }

  @Test func interactionNetworkMetricsAndROC() async throws {
    let ws = try TemporaryWorkspace("evaluate-in")
    defer { ws.destroy() }
    try ModelFixtures.writeJetSplits(ws)
    try await ModelFixtures.run(
      ModelFixtures.trainStage() + """
          evaluate:
            uses: evaluate
            outs: [metrics/evaluate.json]
            with: {model: models/in, data: features/test.h5, output: metrics/evaluate.json,
                   plots: report/evaluate, gates: {auc: {min: 0.5}}}

        """, ["train", "evaluate"], in: ws)
    let metrics = try ModelFixtures.json(ws, "metrics/evaluate.json")
    guard case .map(let fields) = metrics else { throw Failure("metrics are not a map") }
    #expect(fields.map(\.key) == ["rows", "auc", "accuracy", "accuracy_0", "accuracy_1"])
    #expect(metrics["rows"] == .int(40))
    #expect(metrics["auc"]?.doubleValue.map { $0 >= 0 && $0 <= 1 } == true)
    #expect(try ws.read("report/evaluate/roc.svg").contains("ROC curve"))
    // roc.json: the same AUC, the curve from (0, 0) to (1, 1), for the report's overlays.
    let roc = try ModelFixtures.json(ws, "report/evaluate/roc.json")
    #expect(roc["auc"] == metrics["auc"])
    let fpr = try #require(roc["false_positive_rate"]?.listValue?.compactMap { $0.doubleValue })
    let tpr = try #require(roc["true_positive_rate"]?.listValue?.compactMap { $0.doubleValue })
    #expect(fpr.count == tpr.count && fpr.first == 0 && tpr.first == 0)
    #expect(fpr.last == 1 && tpr.last == 1)
  }

  @Test func rocPointsAreThinnedForCharts() throws {
    var generator = SplitMix64(seed: 7)
    let labels = (0..<100_000).map { _ in Int(generator.next() % 2) }
    let scores = labels.map { Double($0) * 0.5 + Double(generator.next() % 1_000_000) / 1e6 }
    let roc = try ROC(scores: scores, labels: labels)
    #expect(roc.falsePositiveRate.count > 10_000)
    let document = try ValueParser.parse(roc.curveJSON(), file: "roc.json")
    let fpr = try #require(
      document["false_positive_rate"]?.listValue?.compactMap { $0.doubleValue })
    let tpr = try #require(document["true_positive_rate"]?.listValue?.compactMap { $0.doubleValue })
    #expect(fpr.count == tpr.count && fpr.count <= 2_001 && fpr.count > 100)
    #expect(document["auc"] == .double(roc.auc))
    #expect(fpr.first == 0 && tpr.first == 0 && fpr.last == 1 && tpr.last == 1)
    for i in 1..<fpr.count - 1 {
      #expect(fpr[i] - fpr[i - 1] >= 0.001 || tpr[i] - tpr[i - 1] >= 0.001)
    }
  }

  @Test func braggNNPeakErrorsAgainstTheCentreOfMass() async throws {
    let ws = try TemporaryWorkspace("evaluate-bragg")
    defer { ws.destroy() }
    try ModelFixtures.writePeaks(ws, "patches/train.h5", count: 32, seed: 1)
    try ModelFixtures.writePeaks(ws, "patches/test.h5", count: 20, seed: 3)
    try await ModelFixtures.run(
      """
        train:
          uses: train
          outs: [models/bragg]
          with: {model: braggnn, train: patches/train.h5, epochs: 1, batch_size: 16, threads: 1,
                 output: models/bragg}
        evaluate:
          uses: evaluate
          outs: [metrics/bragg.json]
          with: {model: models/bragg, data: patches/test.h5, output: metrics/bragg.json,
                 plots: report/bragg}

      """, ["train", "evaluate"], in: ws)
    let metrics = try ModelFixtures.json(ws, "metrics/bragg.json")
    guard case .map(let fields) = metrics else { throw Failure("metrics are not a map") }
    #expect(metrics["rows"] == .int(20))
    let keys = fields.map(\.key)
    let network = keys.filter { $0 != "rows" && !$0.hasPrefix("center_of_mass_") }
    #expect(!network.isEmpty)
    #expect(
      keys.filter { $0.hasPrefix("center_of_mass_") } == network.map { "center_of_mass_" + $0 })
    #expect(try ws.read("report/bragg/distances.svg").contains("Peak position error"))
  }

  @Test func centreOfMassOfAPointIsThePoint() {
    var pixels = [Float](repeating: 0, count: 2 * 25)
    pixels[3 * 5 + 1] = 2  // patch 0: x 1, y 3
    let centres = EvaluateStage.centresOfMass(pixels, patches: 2, size: 5)
    #expect(centres == [0.2, 0.6, 0.5, 0.5], "an empty patch has its centre")
  }
}
