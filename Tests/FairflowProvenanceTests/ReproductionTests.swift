import FairflowBase
import FairflowCore
@testable import FairflowProvenance
import Testing

/// The pure parts of `fairflow reproduce`: the plan's refusals and the comparison of outputs.
@Suite struct ReproductionTests {
  static let commit = String(repeating: "1", count: 40)
  static let a = String(repeating: "a", count: 64)
  static let b = String(repeating: "b", count: 64)
  static let c = String(repeating: "c", count: 64)

  static func record(
    _ stage: String, deps: [ProvenanceRecord.Artifact] = [],
    outputs: [ProvenanceRecord.Artifact], commit: String? = commit, dirty: Bool = false,
    params: [(key: String, value: Value)] = []
  ) -> ProvenanceRecord {
    ProvenanceRecord(
      run: "20261207T100000.000Z-0001", pipeline: "pipelines/main.yaml", stage: stage,
      kind: "command", command: "true", implementationVersion: nil, params: params, env: [],
      deps: deps, outputs: outputs, outcome: .executed, restoredFrom: nil, failure: nil,
      exitStatus: 0, started: "2026-12-07T10:00:00.000Z", ended: "2026-12-07T10:00:01.000Z",
      durationSeconds: 1, fingerprint: nil, executor: [("kind", .string("local"))],
      context: RunContext(
        host: [], software: [], environment: [], user: [],
        code: [
          ("commit", commit.map(Value.string) ?? .null), ("dirty", .bool(dirty)),
          ("diff_sha256", dirty ? .string(c) : .null),
        ]))
  }

  /// input.txt (root) → prepare → upper.txt → report → report.json.
  static func lineage(
    prepare: ProvenanceRecord? = nil, report: ProvenanceRecord? = nil
  ) -> Tracer.Node {
    let prepare =
      prepare
      ?? record(
        "prepare", deps: [.init(path: "input.txt", sha256: a, size: 1)],
        outputs: [.init(path: "upper.txt", sha256: b, size: 1)])
    let report =
      report
      ?? record(
        "report", deps: [.init(path: "upper.txt", sha256: b, size: 1)],
        outputs: [.init(path: "report.json", sha256: c, size: 1)])
    let input = Tracer.Node(
      path: "input.txt", sha256: a, size: 1, producer: nil, restoredBy: nil, origin: nil,
      source: "untracked", inputs: [], repeated: false)
    let upper = Tracer.Node(
      path: "upper.txt", sha256: b, size: 1, producer: prepare, restoredBy: nil, origin: nil,
      source: nil, inputs: [input], repeated: false)
    return Tracer.Node(
      path: "report.json", sha256: c, size: 1, producer: report, restoredBy: nil, origin: nil,
      source: nil, inputs: [upper], repeated: false)
  }

  static func world(tracked: [String: String], stored: Set<String> = []) -> Reproduction.World {
    Reproduction.World(
      treeDigest: { tracked[$0] }, storeHas: { hex, _ in stored.contains(hex) })
  }

  static let tracked = ["input.txt": a, "pipelines/main.yaml": c]

  @Test func planListsStagesInputsFirstAndPlacesRoots() throws {
    let plan = try Reproduction.plan(Self.lineage(), world: Self.world(tracked: Self.tracked))
    #expect(plan.stages.map(\.stage) == ["prepare", "report"])
    #expect(plan.leaf.stage == "report")
    #expect(plan.commit == Self.commit)
    #expect(
      plan.roots == [.init(path: "input.txt", sha256: Self.a, isDirectory: false, source: .tree)])
    let stored = try Reproduction.plan(
      Self.lineage(), world: Self.world(tracked: ["pipelines/main.yaml": Self.c], stored: [Self.a]))
    #expect(stored.roots.first?.source == .objectStore)
  }

  @Test func refusalsNameTheStage() {
    let dirty = Self.record(
      "prepare", deps: [.init(path: "input.txt", sha256: Self.a, size: 1)],
      outputs: [.init(path: "upper.txt", sha256: Self.b, size: 1)], dirty: true)
    var error = #expect(throws: ReproductionRefusal.self) {
      try Reproduction.plan(Self.lineage(prepare: dirty), world: Self.world(tracked: Self.tracked))
    }
    #expect(error?.message.contains("stage 'prepare'") == true)
    #expect(error?.message.contains("uncommitted changes") == true)
    #expect(error?.exitStatus == .invalidInput)

    let other = Self.record(
      "prepare", deps: [.init(path: "input.txt", sha256: Self.a, size: 1)],
      outputs: [.init(path: "upper.txt", sha256: Self.b, size: 1)],
      commit: String(repeating: "2", count: 40))
    error = #expect(throws: ReproductionRefusal.self) {
      try Reproduction.plan(Self.lineage(prepare: other), world: Self.world(tracked: Self.tracked))
    }
    #expect(error?.message.contains("mixes code commits") == true)

    error = #expect(throws: ReproductionRefusal.self) {
      try Reproduction.plan(
        Self.lineage(), world: Self.world(tracked: ["pipelines/main.yaml": Self.c]))
    }
    #expect(error?.message.contains("input input.txt of stage 'prepare'") == true)

    let secret = Self.record(
      "report", deps: [.init(path: "upper.txt", sha256: Self.b, size: 1)],
      outputs: [.init(path: "report.json", sha256: Self.c, size: 1)],
      params: [("api_key", .string("<redacted>"))])
    error = #expect(throws: ReproductionRefusal.self) {
      try Reproduction.plan(Self.lineage(report: secret), world: Self.world(tracked: Self.tracked))
    }
    #expect(error?.message.contains("redacted") == true)
  }

  static func observed(
    _ digests: [String: String], texts: (String, String)? = nil, status: Int32 = 0
  ) -> Reproduction.Observed {
    Reproduction.Observed(
      digest: { digests[$0.path] }, texts: { _ in texts }, childStatus: status)
  }

  @Test func compareSaysIdenticalDiffersOrCannot() {
    let record = Self.record(
      "report",
      outputs: [
        .init(path: "report.json", sha256: Self.c, size: 1),
        .init(path: "plot.svg", sha256: Self.a, size: 1),
      ])
    let same = Reproduction.compare(
      record, observed: Self.observed(["report.json": Self.c, "plot.svg": Self.a]))
    #expect(same.verdict == .identical)
    #expect(same.differences.isEmpty)

    let differs = Reproduction.compare(
      record,
      observed: Self.observed(
        ["report.json": Self.b, "plot.svg": Self.a],
        texts: (#"{"auc": 0.9, "n": 10}"#, #"{"auc": 0.95, "n": 10}"#)))
    #expect(differs.verdict == .differs)
    #expect(differs.differences.map(\.path) == ["report.json"])
    #expect(differs.differences.first?.reproduced == Self.b)
    let delta = try? #require(differs.differences.first?.metrics.first)
    #expect(delta?.key == "auc")
    #expect(abs((delta?.delta ?? 0) - 0.05) < 1e-12)

    let missing = Reproduction.compare(record, observed: Self.observed(["plot.svg": Self.a]))
    #expect(missing.verdict == .differs)
    #expect(missing.differences.first?.reproduced == nil)

    let directory = Self.record(
      "bundle", outputs: [.init(path: "out", sha256: Self.c, size: 2, isDirectory: true, files: 2)])
    let inside = Reproduction.compare(
      directory,
      observed: Reproduction.Observed(
        digest: { _ in Self.b }, texts: { _ in nil }, files: { _ in ["out/stamp.txt"] },
        childStatus: 0))
    #expect(inside.verdict == .differs)
    #expect(inside.differences.first?.files == ["out/stamp.txt"])

    let failed = Reproduction.compare(
      record, observed: Self.observed(["plot.svg": Self.a], status: 1))
    #expect(failed.verdict == .cannot)
    #expect(failed.reason?.contains("report.json") == true)
    #expect(Reproduction.exitStatus([same]) == .success)
    #expect(Reproduction.exitStatus([same, differs]) == .failure)
  }

  @Test func metricDeltasFlattenNestedNumbers() {
    let deltas = Reproduction.metricDeltas(
      recorded: #"{"test": {"auc": 0.5, "curve": [1, 2]}, "name": "a", "gone": 3}"#,
      reproduced: #"{"test": {"auc": 0.5, "curve": [1, 4]}, "name": "b", "new": 1.5}"#)
    #expect(deltas.map(\.key) == ["test.curve[1]", "gone", "new"])
    #expect(deltas[0].delta == 2)
    #expect(deltas[1].reproduced == nil && deltas[1].delta == nil)
    #expect(deltas[2].recorded == nil && deltas[2].reproduced == 1.5)
    #expect(Reproduction.metricDeltas(recorded: "not json", reproduced: "{}").isEmpty)
  }

  @Test func recordedParamsBecomeOverridesWhereTextTypesBack() throws {
    #expect(Reproduction.overrideText(.int(5)) == "5")
    #expect(Reproduction.overrideText(.double(0.001)) == "0.001")
    #expect(Reproduction.overrideText(.double(2)) == "2.0")
    #expect(Reproduction.overrideText(.bool(false)) == "false")
    #expect(Reproduction.overrideText(.string("hbb-jets")) == "hbb-jets")
    #expect(Reproduction.overrideText(.string("10.5281/zenodo.1")) == "10.5281/zenodo.1")
    for typed in ["123", "1e5", "true", "null", "0x1f", ".inf", "a b", "", "x: y"] {
      #expect(Reproduction.overrideText(.string(typed)) == nil, "\(typed)")
    }
    #expect(Reproduction.overrideText(.list([.int(1)])) == nil)

    let report = Self.record(
      "report", deps: [.init(path: "upper.txt", sha256: Self.b, size: 1)],
      outputs: [.init(path: "report.json", sha256: Self.c, size: 1)],
      params: [
        ("n", .int(5)), ("tags", .list([.string("a"), .double(2)])), ("name", .string("x y")),
        ("model", .map([("lr", .double(0.1)), ("id", .string("007"))])),
        ("bad", .list([.double(.nan)])),
      ])
    let plan = try Reproduction.plan(
      Self.lineage(report: report), world: Self.world(tracked: Self.tracked))
    #expect(
      plan.overrides == [
        #"model:={"id":"007","lr":0.1}"#, "n=5", #"name:="x y""#, #"tags:=["a",2.0]"#,
      ])
    #expect(plan.unpassable == ["bad"])

    let prepare = Self.record(
      "prepare", deps: [.init(path: "input.txt", sha256: Self.a, size: 1)],
      outputs: [.init(path: "upper.txt", sha256: Self.b, size: 1)], params: [("n", .int(4))])
    let error = #expect(throws: ReproductionRefusal.self) {
      try Reproduction.plan(
        Self.lineage(prepare: prepare, report: report), world: Self.world(tracked: Self.tracked))
    }
    #expect(error?.message.contains("two values of param 'n'") == true)
  }

  @Test func declaredNonDeterministicStagesCompareJSONWithinTolerance() {
    var record = Self.record(
      "train",
      outputs: [
        .init(path: "metrics.json", sha256: Self.c, size: 1),
        .init(path: "model.pt", sha256: Self.a, size: 1),
      ])
    record.reproducibility = Reproducibility(
      deterministic: false,
      tolerance: [.init(key: "auc", absolute: 0.01), .init(key: "seconds", absolute: .infinity)])
    let recorded = #"{"auc": 0.90, "n": 10, "timing": {"seconds": 3}}"#
    func compare(_ reproduced: String, model: String = Self.a) -> StageComparison {
      Reproduction.compare(
        record,
        observed: Self.observed(
          ["metrics.json": Self.b, "model.pt": model], texts: (recorded, reproduced)))
    }
    let within = compare(#"{"auc": 0.905, "n": 10, "timing": {"seconds": 9.5}}"#)
    #expect(within.verdict == .withinTolerance)
    #expect(within.differences.first?.metrics.map(\.key) == ["auc", "timing.seconds"])
    #expect(within.differences.first?.metrics.allSatisfy { $0.within == true } == true)
    #expect(within.differences.first?.metrics.first?.tolerance == "0.01")
    #expect(Reproduction.exitStatus([within]) == .success)

    let outside = compare(#"{"auc": 0.95, "n": 10, "timing": {"seconds": 3}}"#)
    #expect(outside.verdict == .differs)
    #expect(Reproduction.exitStatus([outside]) == .failure)
    // A key without a tolerance, a changed string and a key on one side only all differ.
    let untolerated = compare(#"{"auc": 0.9, "n": 11, "timing": {"seconds": 3}}"#)
    #expect(untolerated.verdict == .differs)
    #expect(untolerated.differences.first?.metrics.first?.tolerance == nil)
    let renamed = compare(#"{"auc": 0.9, "n": 10, "timing": {"secs": 3}}"#)
    #expect(renamed.verdict == .differs)
    #expect(renamed.differences.first?.metrics.map(\.key) == ["timing.seconds", "timing.secs"])
    // A changed non-JSON output cannot be held to a tolerance.
    let binary = compare(recorded, model: Self.b)
    #expect(binary.verdict == .cannot)
    #expect(binary.differences.first { $0.path == "model.pt" }?.compared == false)
    #expect(binary.reason?.contains("model.pt") == true)
    let text = Reproduction.text(
      try! Reproduction.plan(Self.lineage(), world: Self.world(tracked: Self.tracked)),
      rows: [within])
    #expect(text.contains("auc: 0.9 -> 0.905 (delta "))
    #expect(text.contains(", within tolerance 0.01"))
    #expect(text.contains("timing.seconds: 3 -> 9.5 (delta 6.5), within tolerance any"))
  }

  @Test func tolerancesMatchKeysAndBoundValues() {
    let auc = Reproducibility.Tolerance(key: "auc", absolute: 0.01)
    #expect(auc.matches("auc") && auc.matches("runs[0].auc"))
    #expect(!auc.matches("val_auc") && !auc.matches("auc.mean"))
    #expect(
      auc.accepts(recorded: 0.9, reproduced: 0.909) && !auc.accepts(recorded: 0.9, reproduced: 0.92)
    )
    let relative = Reproducibility.Tolerance(key: "loss", value: .string("1%"))
    #expect(relative?.accepts(recorded: 200, reproduced: 201.9) == true)
    #expect(relative?.accepts(recorded: 200, reproduced: 202.1) == false)
    #expect(Reproducibility.Tolerance(key: "x", value: .string("any"))?.absolute == .infinity)
    for bad: Value in [.int(-1), .string("fast"), .string("-1%"), .bool(true), .null] {
      #expect(Reproducibility.Tolerance(key: "x", value: bad) == nil)
    }
    let declared = Reproducibility(
      deterministic: false, tolerance: [auc, .init(key: "runs[0].auc", absolute: 0)])
    #expect(declared.tolerance(for: "runs[0].auc")?.absolute == 0, "an exact key wins")
    #expect(Reproducibility(value: declared.value) == declared)
  }

  @Test func recordsRoundTripTheirDeclarationAndReproductions() throws {
    var record = Self.record("train", outputs: [.init(path: "m.json", sha256: Self.c, size: 1)])
    #expect(!record.json.contains("reproducibility"), "bitwise stages keep the old record bytes")
    record.reproducibility = Reproducibility(
      deterministic: false, tolerance: [.init(key: "auc", percent: 0.5)])
    let decoded = try ProvenanceRecord(json: record.json, source: "r.json")
    #expect(decoded.reproducibility == record.reproducibility)
    #expect(decoded == record)

    let reproduction = ReproductionRecord(
      id: "20261207T120000.000Z-00aa", artifact: "m.json", sha256: Self.c,
      pipeline: "pipelines/main.yaml", commit: Self.commit, source: "workspace",
      result: "within tolerance", started: "2026-12-07T12:00:00.000Z",
      ended: "2026-12-07T12:00:09.000Z", durationSeconds: 9,
      stages: [.init(stage: "train", run: "r1", result: "within tolerance", differing: ["m.json"])],
      host: [("hostname", .string("lab-7"))], software: [("fairflow", .string("0.9"))])
    let back = try ReproductionRecord(json: reproduction.json, source: "x.json")
    #expect(back == reproduction)
    #expect(
      back.summaryLine.hasPrefix(
        "reproduced on lab-7 at 2026-12-07T12:00:09.000Z: within tolerance"))
    #expect(throws: ProvenanceError.self) {
      try ReproductionRecord(json: #"{"schema": "fairflow.reproduction/9"}"#, source: "x.json")
    }
    let rows = [
      StageComparison(stage: "a", run: "r", verdict: .identical),
      StageComparison(stage: "b", run: "r", verdict: .withinTolerance),
    ]
    #expect(ReproductionRecord.result(rows) == "within tolerance")
    #expect(
      ReproductionRecord.result(rows + [StageComparison(stage: "c", run: "r", verdict: .cannot)])
        == "cannot")
  }
}
