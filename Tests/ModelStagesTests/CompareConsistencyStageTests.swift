import FairflowBase
import FairflowCore
import FairflowTesting
import Testing

@testable import ModelStages

/// `uses: compare` and `uses: consistency`: their configurations (with the shared `table` and
/// `title` options) and small runs on trained interaction networks.
@Suite struct CompareConsistencyStageTests {
  static let compare = #""baseline": "b", "data": "t.h5", "output": "c.json""#
  static let consistency = #""model": "m", "onnx": "m.onnx", "data": "t.h5", "output": "c.json""#

  @Test(arguments: [
    (
      #"{"models": ["a"], "data": "t.h5", "output": "c.json"}"#,
      "'with' of stage 's' needs 'baseline'"
    ),
    ("{\(compare)}", "'models' must be a non-empty list of model directories"),
    ("{\(compare), \"models\": []}", "'models' must be a non-empty list of model directories"),
    (
      "{\(compare), \"models\": [\"a\", \"\"]}",
      "'models' must be a non-empty list of model directories"
    ),
    (
      "{\(compare), \"models\": [\"a\"], \"rows\": \"all\"}",
      "expected an integer for 'rows' of stage 's', found \"all\""
    ),
    (
      "{\(compare), \"models\": [\"a\"], \"table\": \"t.txt\"}",
      "'table' must be a Markdown file path ending in .md"
    ),
    (
      "{\(compare), \"models\": [\"a\"], \"title\": 3}",
      "expected a string for 'title' of stage 's', found 3"
    ),
  ])
  func invalidCompare(_ with: String, _ problem: String) throws {
    #expect(try ModelFixtures.problem(CompareStage(), with) == problem)
  }

  @Test(arguments: [
    (#"{"model": "m", "data": "t.h5", "output": "c.json"}"#, "'with' of stage 's' needs 'onnx'"),
    ("{\(consistency), \"runs\": []}", "'runs' must be a list of {rows: N ≥ 0, batch: B ≥ 1}"),
    (
      "{\(consistency), \"runs\": [{\"rows\": -1, \"batch\": 1}]}",
      "'runs' must be a list of {rows: N ≥ 0, batch: B ≥ 1}"
    ),
    (
      "{\(consistency), \"runs\": [{\"batch\": 0}]}",
      "'runs' must be a list of {rows: N ≥ 0, batch: B ≥ 1}"
    ),
    (
      "{\(consistency), \"runs\": [{\"rows\": 5}]}",
      "'runs' must be a list of {rows: N ≥ 0, batch: B ≥ 1}"
    ),
    (
      "{\(consistency), \"runs\": [{\"batch\": 2, \"size\": 1}]}",
      "'runs' must be a list of {rows: N ≥ 0, batch: B ≥ 1}"
    ),
    ("{\(consistency), \"table\": \"t\"}", "'table' must be a Markdown file path ending in .md"),
    ("{\(consistency), \"run\": []}", "unknown key 'run' in 'with' of stage 's'"),
  ])
  func invalidConsistency(_ with: String, _ problem: String) throws {
    #expect(try ModelFixtures.problem(ConsistencyStage(), with) == problem)
  }

  @Test func normalForms() throws {
    #expect(
      try ModelFixtures.normalised(CompareStage(), "{\(Self.compare), \"models\": [\"a\"]}")
        == .map([
          ("baseline", .string("b")), ("models", .list([.string("a")])),
          ("data", .string("t.h5")), ("rows", .int(0)), ("output", .string("c.json")),
          ("title", .string("Baseline and ablated models")),
        ]))
    #expect(
      try ModelFixtures.normalised(ConsistencyStage(), "{\(Self.consistency)}")
        == .map([
          ("model", .string("m")), ("onnx", .string("m.onnx")), ("data", .string("t.h5")),
          (
            "runs",
            .list([
              .map([("rows", .int(1000)), ("batch", .int(1))]),
              .map([("rows", .int(0)), ("batch", .int(128))]),
            ])
          ),
          ("output", .string("c.json")), ("title", .string("Native vs ONNX")),
        ]))
    let given = try ModelFixtures.normalised(
      ConsistencyStage(),
      "{\(Self.consistency), \"runs\": [{\"batch\": 4}], \"table\": \"t.md\", \"title\": \"T\"}")
    #expect(given["runs"] == .list([.map([("rows", .int(0)), ("batch", .int(4))])]))
    #expect(given["table"] == .string("t.md") && given["title"] == .string("T"))
    let hint = try ModelFixtures.failure(ConsistencyStage(), "{\(Self.consistency), \"runs\": []}")?
      .hint
    #expect(hint == "rows 0 means every jet")
  }

  @Test func compareMeasuresAnAblatedModelAgainstTheBaseline() async throws {
    let ws = try TemporaryWorkspace("compare")
    defer { ws.destroy() }
    try ModelFixtures.writeJetSplits(ws)
    try await ModelFixtures.run(
      ModelFixtures.trainStage()
        + ModelFixtures.trainStage(
          "ablate", output: "models/ablated", extra: "\n      drop_features: [track_phi, sv_pt]")
          + """
            compare:
              uses: compare
              outs: [report/compare.json]
              with: {baseline: models/in, models: [models/ablated], data: features/test.h5,
                     rows: 25, output: report/compare.json, table: report/table10.md, title: T10}

          """, ["train", "ablate", "compare"], in: ws)
    let result = try ModelFixtures.json(ws, "report/compare.json")
    #expect(result["rows"] == .int(25))
    let models = try #require(result["models"]?.listValue)
    #expect(models.count == 2)
    #expect(models[0]["dropped_tracks"] == .int(0) && models[0]["fidelity_percent"] == .double(100))
    #expect(models[1]["dropped_tracks"] == .int(1) && models[1]["dropped_vertices"] == .int(1))
    #expect(models[1]["hidden"] == .int(6))
    let table = try ws.read("report/table10.md")
    #expect(table.hasPrefix("## T10\n"))
    #expect(table.contains("| models/ablated | 1, 1 | 6, 3, 3 |"), "\(table)")
    #expect(table.contains("25 test jets of features/test.h5"))
  }

  @Test func nativeAndONNXAgree() async throws {
    let ws = try TemporaryWorkspace("consistency")
    defer { ws.destroy() }
    try ModelFixtures.writeJetSplits(ws)
    try await ModelFixtures.run(
      ModelFixtures.trainStage() + """
          logits:
            uses: export
            outs: [models/logits.onnx]
            with: {model: models/in, output: models/logits.onnx}
          probabilities:
            uses: export
            outs: [models/probabilities.onnx]
            with: {model: models/in, output: models/probabilities.onnx, softmax: true}
          logits-check:
            uses: consistency
            outs: [report/logits.json]
            with: {model: models/in, onnx: models/logits.onnx, data: features/test.h5,
                   runs: [{rows: 10, batch: 1}, {batch: 16}], output: report/logits.json,
                   table: report/table8.md}
          probabilities-check:
            uses: consistency
            outs: [report/probabilities.json]
            with: {model: models/in, onnx: models/probabilities.onnx, data: features/test.h5,
                   runs: [{batch: 7}], output: report/probabilities.json}

        """,
      ["train", "logits", "probabilities", "logits-check", "probabilities-check"], in: ws)
    for file in ["report/logits.json", "report/probabilities.json"] {
      let runs = try #require(try ModelFixtures.json(ws, file)["runs"]?.listValue)
      for run in runs {
        #expect(run["disagreements"] == .int(0), "\(file)")
        #expect(run["max_abs_difference"]?.doubleValue.map { $0 < 1e-5 } == true, "\(file)")
        #expect(run["engines"]?.listValue?.count == 2)
      }
    }
    let runs = try #require(try ModelFixtures.json(ws, "report/logits.json")["runs"]?.listValue)
    #expect(runs.map { $0["rows"] } == [.int(10), .int(40)])
    #expect(runs[1]["engines"]?.listValue?[0]["batches"] == .int(3))
    let table = try ws.read("report/table8.md")
    #expect(table.hasPrefix("## Native vs ONNX\n"))
    #expect(table.contains("| first 10 test jets, batch 1 | native (NeuralKit) |"))
    #expect(table.contains("| all 40 test jets, batch 16 | ONNX |"))
    #expect(!ws.exists("report/probabilities.md"))
  }

  @Test func braggNNIsRefused() async throws {
    let ws = try TemporaryWorkspace("compare-bragg")
    defer { ws.destroy() }
    try ModelFixtures.writePeaks(ws, "patches/train.h5", count: 16, seed: 1)
    try ModelFixtures.writeJetSplits(ws)
    let stages = """
        train:
          uses: train
          outs: [models/bragg]
          with: {model: braggnn, train: patches/train.h5, epochs: 1, threads: 1,
                 output: models/bragg}
        compare:
          uses: compare
          outs: [report/compare.json]
          with: {baseline: models/bragg, models: [models/bragg], data: features/test.h5,
                 output: report/compare.json}

      """
    await #expect {
      try await ModelFixtures.run(stages, ["train", "compare"], in: ws)
    } throws: { error in
      "\(error)" == "compare: models/bragg is not an interaction network"
    }
  }
}
