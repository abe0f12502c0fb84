import FairflowCore
import FairflowEngine
import FairflowTesting
import Foundation
import Testing

@testable import ModelStages

/// `uses: aggregate`: the statistics against NumPy, the outputs, and load-time validation.
@Suite struct AggregateStageTests {
  static let registry = StageKindRegistry([AggregateStage()])

  /// Relative agreement within `tolerance` (both zero counts as agreement).
  static func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
    abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300)
  }

  /// Samples that stress the arithmetic: tiny n, constants, a large offset with a small spread,
  /// mixed signs and magnitudes, and AUC-like values around 0.99.
  static let samples: [[Double]] = {
    let pair: [Double] = [0.5, 0.75]
    let constant: [Double] = [3, 3, 3, 3]
    let offset: [Double] = [1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3, 1e9 + 0.4]
    let mixed: [Double] = [-2.5, 1e-8, 7.25, 1e6, -3.125e-3]
    let aucs: [Double] = [
      0.98976, 0.98991, 0.98985, 0.98969, 0.98994, 0.98981, 0.98977, 0.98988, 0.98972, 0.98990,
    ]
    let wave: [Double] = (0..<1000).map { (i: Int) -> Double in
      sin(Double(i) * 0.7) * 1e3 + Double(i % 7) / 3
    }
    return [pair, constant, offset, mixed, aucs, wave]
  }()

  /// NumPy's `mean`, `std(ddof=1)`, `min`, `max`, and the exact mean and std (rational
  /// arithmetic, one rounding at the end), all as hexadecimal floats so nothing is lost in print.
  @Test func meanStdMinMaxMatchNumPy() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python with numpy (.venv)") }
      return
    }
    let lists = Self.samples.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }
    let script = """
      import numpy as np, math
      from fractions import Fraction
      for x in [\(lists.joined(separator: ","))]:
          a = np.array(x, dtype=np.float64)
          f = [Fraction(v) for v in x]
          m = sum(f) / len(f)
          var = sum((v - m) ** 2 for v in f) / (len(f) - 1)
          exact_std = math.sqrt(var)  # correctly rounded var, then sqrt: within an ulp or two
          print(" ".join(float(v).hex() for v in
                [a.mean(), a.std(ddof=1), a.min(), a.max(), float(m), exact_std]))
      """
    let run = try Shell.run([python, "-c", script], in: NSTemporaryDirectory())
    try #require(run.status == 0, "\(run.stderr)")
    let rows = run.stdout.split(separator: "\n").map {
      $0.split(separator: " ").compactMap { Double(String($0)) }
    }
    try #require(rows.count == Self.samples.count && rows.allSatisfy { $0.count == 6 })
    for (values, r) in zip(Self.samples, rows) {
      let s = AggregateSummary(metric: "m", values: values)
      let std = try #require(s.std)
      #expect(s.n == values.count)
      #expect(s.min == r[2] && s.max == r[3])
      // Against NumPy: its pairwise sums differ in the last bits (5e-12 relative for values
      // near 1e9 with a spread of 0.1, where ours is the exact one).
      // Means are compared on the scale of the values (a mean near 0 of values near 1e3
      // cancels).
      let scale = values.map(abs).max()!
      #expect(abs(s.mean - r[0]) <= 1e-13 * scale, "mean \(s.mean) vs numpy \(r[0])")
      #expect(Self.close(std, r[1], 1e-10), "std \(std) vs numpy \(r[1]) for \(values)")
      // Against exact arithmetic: a few ulps.
      #expect(abs(s.mean - r[4]) <= 1e-15 * scale, "mean \(s.mean) vs exact \(r[4])")
      #expect(Self.close(std, r[5], 1e-15), "std \(std) vs exact \(r[5]) for \(values)")
    }
  }

  @Test func oneValueHasNoStd() {
    let s = AggregateSummary(metric: "auc", values: [0.97])
    #expect(s.mean == 0.97 && s.std == nil && s.min == 0.97 && s.max == 0.97 && s.n == 1)
    #expect(s.formatted(digits: 3) == "0.970")
  }

  @Test func naturalOrderPutsSeedTwoBeforeTen() {
    let names = ["seed-10.json", "seed-2.json", "seed-1.json", "seed-9.json", "other.json"]
    #expect(
      names.sorted(by: AggregateStage.naturalOrder)
        == ["other.json", "seed-1.json", "seed-2.json", "seed-9.json", "seed-10.json"])
  }

  func pipeline(_ with: String, in ws: TemporaryWorkspace) throws -> LoadedPipeline {
    try ws.write(
      "pipelines/p.yaml",
      """
      stages:
        aggregate:
          uses: aggregate
          deps: [metrics/seeds]
          metrics: [metrics/aggregate.json]
          outs: [report/table.md]
          with: \(with)
      """)
    return try LoadedPipeline.load(
      ws.path("pipelines/p.yaml"), in: Workspace(root: ws.root), registry: Self.registry)
  }

  @Test func writesSummaryJSONAndMarkdownTable() async throws {
    let ws = try TemporaryWorkspace("aggregate")
    defer { ws.destroy() }
    let auc = [0.981, 0.979, 0.983, 0.98, 0.982, 0.978, 0.984, 0.978, 0.985, 0.986]
    for (i, a) in auc.enumerated() {
      try ws.write(
        "metrics/seeds/seed-\(i + 1).json",
        "{\"rows\": 1800, \"auc\": \(a), \"accuracy\": \(a - 0.03), \"flag\": true}")
    }
    let loaded = try pipeline(
      "{inputs: [metrics/seeds], output: metrics/aggregate.json, table: report/table.md, "
        + "title: Table 4 analogue, digits: 3}", in: ws)
    try await loaded.executeBuiltin("aggregate", registry: Self.registry)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/aggregate.json").utf8))
        as? [String: Any])
    let inputs = try #require(object["inputs"] as? [String])
    #expect(inputs == (1...10).map { "metrics/seeds/seed-\($0).json" })
    let expected = AggregateSummary(metric: "auc", values: auc)
    // (Foundation's JSON reader on Linux may be an ulp off; ValueParser below is exact.)
    #expect(Self.close(object["auc"] as? Double ?? 0, expected.mean, 1e-15))
    #expect(Self.close(object["auc_std"] as? Double ?? 0, expected.std ?? 1, 1e-15))
    #expect(object["flag"] == nil, "booleans are not metrics")
    #expect((object["std"] as? String)?.contains("n - 1") == true)
    let summary = try #require(object["summary"] as? [[String: Any]])
    #expect(summary.compactMap { $0["metric"] as? String } == ["rows", "auc", "accuracy"])
    let aucEntry = summary[1]
    #expect(aucEntry["n"] as? Int == 10)
    #expect(aucEntry["values"] as? [Double] == auc)
    #expect(aucEntry["min"] as? Double == 0.978 && aucEntry["max"] as? Double == 0.986)
    #expect(summary[0]["std"] as? Double == 0)
    let table = try ws.read("report/table.md")
    #expect(table.hasPrefix("# Table 4 analogue\n"))
    #expect(table.contains("| auc | 0.982 ± 0.003 | 0.978 | 0.986 | 10 |"), "\(table)")
    #expect(table.contains("| metrics/seeds/seed-10.json | 1800.000 | 0.986 | 0.956 |"))
    #expect(table.contains("n − 1"))
    // parse() reads the summaries back (the report uses it).
    let parsed = AggregateSummary.parse(
      try ValueParser.parse(ws.read("metrics/aggregate.json"), file: "a"))
    #expect(parsed.map(\.metric) == ["rows", "auc", "accuracy"])
    #expect(parsed[1] == expected)
  }

  @Test func selectedMetricsMustBeInEveryInput() async throws {
    let ws = try TemporaryWorkspace("aggregate-missing")
    defer { ws.destroy() }
    try ws.write("metrics/seeds/a.json", "{\"auc\": 0.9, \"accuracy\": 0.8}")
    try ws.write("metrics/seeds/b.json", "{\"auc\": 0.91}")
    let loaded = try pipeline(
      "{inputs: [metrics/seeds], metrics: [auc, accuracy], output: metrics/aggregate.json}",
      in: ws)
    await #expect {
      try await loaded.executeBuiltin("aggregate", registry: Self.registry)
    } throws: { error in
      "\(error)" == "aggregate: 'metrics/seeds/b.json' has no number named 'accuracy'"
    }
    let missing = try pipeline("{inputs: [metrics/nope.json], output: metrics/a.json}", in: ws)
    await #expect {
      try await missing.executeBuiltin("aggregate", registry: Self.registry)
    } throws: { error in
      "\(error)" == "aggregate: input 'metrics/nope.json' does not exist"
    }
  }

  @Test(arguments: [
    ("{output: m.json}", "'with' of stage 'aggregate' needs 'inputs'"),
    ("{inputs: [], output: m.json}", "'inputs' is empty"),
    ("{inputs: [a.json, a.json], output: m.json}", "'a.json' is listed twice in 'inputs'"),
    ("{inputs: [3], output: m.json}", "each entry of 'inputs' must be a path, found 3"),
    (
      "{inputs: [a.json], metrics: auc, output: m.json}",
      "'metrics' must be a non-empty list of metric names"
    ),
    (
      "{inputs: [a.json], output: m.txt}",
      "'output' must be a .json file (declare it under 'metrics:')"
    ),
    (
      "{inputs: [a.json], output: m.json, table: t.html}",
      "'table' must be a Markdown file path ending in .md"
    ),
    ("{inputs: [a.json], output: m.json, digits: 40}", "'digits' must be between 1 and 12"),
    (
      "{inputs: [a.json], output: m.json, metric: [auc]}",
      "unknown key 'metric' in 'with' of stage 'aggregate'"
    ),
  ])
  func invalidConfigIsALoadError(_ with: String, _ problem: String) throws {
    let ws = try TemporaryWorkspace("aggregate-invalid")
    defer { ws.destroy() }
    #expect {
      _ = try pipeline(with, in: ws)
    } throws: { error in
      (error as? PipelineError)?.problem == problem
        && (error as? PipelineError)?.location?.line == 7
    }
  }
}
