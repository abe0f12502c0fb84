import FairflowBase
import FairflowCore
import FairflowTesting
import Testing

@testable import ModelStages

/// `uses: interpret`: its configuration and a small run of each method (masking, neural
/// activity, relevance) on a trained interaction network.
@Suite struct InterpretStageTests {
  static let base = #""model": "m", "data": "t.h5", "output": "o""#

  @Test(arguments: [
    (#"{"model": "m", "data": "t.h5"}"#, "'with' of stage 's' needs 'output'"),
    ("{\(base), \"methods\": [\"shap\"]}", "'methods' must be a list of masking, rna, lrp"),
    ("{\(base), \"methods\": []}", "'methods' must be a list of masking, rna, lrp"),
    ("{\(base), \"methods\": \"rna\"}", "'methods' must be a list of masking, rna, lrp"),
    (
      "{\(base), \"thresholds\": [0.1, \"x\"]}",
      "'thresholds' must be a list of numbers (ΔAUC in percent)"
    ),
    ("{\(base), \"rows\": 1.5}", "expected an integer for 'rows' of stage 's', found 1.5"),
    ("{\(base), \"gamma\": -1}", "'gamma' must be a number ≥ 0"),
    ("{\(base), \"method\": [\"rna\"]}", "unknown key 'method' in 'with' of stage 's'"),
  ])
  func invalidConfiguration(_ with: String, _ problem: String) throws {
    #expect(try ModelFixtures.problem(InterpretStage(), with) == problem)
  }

  @Test func normalFormHasEveryDefault() throws {
    #expect(
      try ModelFixtures.normalised(InterpretStage(), "{\(Self.base)}")
        == .map([
          ("model", .string("m")), ("data", .string("t.h5")), ("output", .string("o")),
          ("methods", .list([.string("masking"), .string("rna"), .string("lrp")])),
          ("thresholds", .list([0.001, 0.005, 0.01, 0.05, 1].map(Value.double))),
          ("rows", .int(0)), ("lrp_rows", .int(200)), ("gamma", .double(2)),
        ]))
    let given = try ModelFixtures.normalised(
      InterpretStage(),
      "{\(Self.base), \"methods\": [\"rna\", \"masking\"], \"thresholds\": [1, 0.5], \"gamma\": 3}")
    #expect(given["methods"] == .list([.string("rna"), .string("masking")]))
    #expect(given["thresholds"] == .list([.double(1), .double(0.5)]))
    #expect(given["gamma"] == .double(3))
  }

  @Test func everyMethodWritesItsResultAndCharts() async throws {
    let ws = try TemporaryWorkspace("interpret")
    defer { ws.destroy() }
    try ModelFixtures.writeJetSplits(ws)
    try await ModelFixtures.run(
      ModelFixtures.trainStage() + """
          interpret:
            uses: interpret
            outs: [report/interpret]
            with: {model: models/in, data: features/test.h5, output: report/interpret, rows: 30,
                   lrp_rows: 8, thresholds: [0.5, 100]}

        """, ["train", "interpret"], in: ws)
    let result = try ModelFixtures.json(ws, "report/interpret/interpret.json")
    #expect(result["rows"] == .int(30))
    let masking = try #require(result["masking"])
    let tracks = try #require(masking["tracks"]?.listValue)
    #expect(tracks.compactMap { $0["feature"]?.stringValue } == ModelFixtures.trackFeatures)
    #expect(masking["vertices"]?.listValue?.count == 2)
    let thresholds = try #require(masking["thresholds"]?.listValue)
    #expect(thresholds.count == 2)
    #expect(thresholds[1]["tracks_masked"] == .int(4), "every ΔAUC is below 100 %")
    let rna = try #require(result["rna"]?.listValue)
    #expect(rna.count == 2)
    guard case .map(let layers)? = rna[0]["rna"] else { throw Failure("no layers") }
    #expect(layers.map(\.key) == RelativeNeuralActivity.layerNames)
    let lrp = try #require(result["lrp"])
    #expect(lrp["rows"] == .int(8) && lrp["gamma"] == .double(2))
    let classes = try #require(lrp["classes"]?.listValue)
    #expect(classes.compactMap { $0["jets"]?.intValue }.reduce(0, +) == 8)
    #expect(classes[0]["track_slots"]?.listValue?.count == ModelFixtures.tracks)
    for chart in [
      "roc", "masking-tracks", "masking-vertices", "rna-sparsity", "nap", "lrp-class0",
      "lrp-class1", "lrp-slots-class0", "lrp-slots-class1",
    ] {
      #expect(ws.exists("report/interpret/\(chart).svg"), "missing \(chart).svg")
    }
  }

  @Test func onlyTheChosenMethodsRun() async throws {
    let ws = try TemporaryWorkspace("interpret-rna")
    defer { ws.destroy() }
    try ModelFixtures.writeJetSplits(ws)
    try await ModelFixtures.run(
      ModelFixtures.trainStage() + """
          interpret:
            uses: interpret
            outs: [report/interpret]
            with: {model: models/in, data: features/test.h5, output: report/interpret,
                   methods: [rna]}

        """, ["train", "interpret"], in: ws)
    let result = try ModelFixtures.json(ws, "report/interpret/interpret.json")
    guard case .map(let fields) = result else { throw Failure("not a map") }
    #expect(fields.map(\.key) == ["rows", "auc", "rna"])
    #expect(!ws.exists("report/interpret/masking-tracks.svg"))
  }

  @Test func braggNNIsRefused() async throws {
    let ws = try TemporaryWorkspace("interpret-bragg")
    defer { ws.destroy() }
    try ModelFixtures.writePeaks(ws, "patches/train.h5", count: 16, seed: 1)
    let stages = """
        train:
          uses: train
          outs: [models/bragg]
          with: {model: braggnn, train: patches/train.h5, epochs: 1, threads: 1,
                 output: models/bragg}
        interpret:
          uses: interpret
          outs: [report/interpret]
          with: {model: models/bragg, data: patches/train.h5, output: report/interpret}

      """
    await #expect {
      try await ModelFixtures.run(stages, ["train", "interpret"], in: ws)
    } throws: { error in
      "\(error)" == "interpret supports the interaction network"
    }
  }
}
