import FairflowBase
import FairflowCore
import Foundation
import Testing

@Suite struct StalenessTests {
  static let text = """
    params: {epochs: 30, unused: 1}
    stages:
      train:
        cmd: train --epochs ${params.epochs}
        deps: [data.csv]
        outs: [model.bin]
        env: {MODE: fast}
    """
  static let data = Digest.of("data"), model = Digest.of("model")

  func stage(_ overrides: [String] = [], text: String = text) throws -> Stage {
    try expand(text, overrides: overrides).stage("train")
  }

  func edited(_ target: String, _ replacement: String) -> String {
    let edited = Self.text.replacingOccurrences(of: target, with: replacement)
    precondition(edited != Self.text, "fixture edit did not apply: \(target)")
    return edited
  }

  /// The lock entry a successful run of `stage` records with the standard inputs.
  func entry(for stage: Stage) -> LockEntry {
    LockEntry(
      stage: stage.name,
      fingerprint: Fingerprint.of(stage, dependencyDigests: ["data.csv": Self.data]),
      command: stage.displayCommand, params: stage.params, env: stage.env,
      deps: [PathRecord(path: "data.csv", digest: Self.data, size: 4)],
      outs: [PathRecord(path: "model.bin", digest: Self.model, size: 5)], run: "r")
  }

  /// The reasons, as shown to users; also checks the fast path agrees.
  func reasons(
    _ stage: Stage, _ entry: LockEntry?, deps: [String: Digest] = ["data.csv": data],
    outs: [String: Digest] = ["model.bin": model], upstream: [String] = []
  ) -> [String] {
    let observed = StageObservation(
      dependencyDigests: deps, outputDigests: outs, staleUpstream: upstream)
    let reasons = Staleness.reasons(for: stage, entry: entry, observed: observed)
    #expect(
      Staleness.isUpToDate(
        stage, entry: entry, dependencyDigests: deps, outputDigests: outs,
        upstreamStale: !upstream.isEmpty) == reasons.isEmpty)
    return reasons.map(\.message)
  }

  @Test func upToDateWhenNothingChanged() throws {
    let s = try stage()
    #expect(reasons(s, entry(for: s)) == [])
  }

  @Test func neverRun() throws {
    let s = try stage()
    #expect(reasons(s, nil) == ["never run"])
  }

  @Test func neverRunAlsoNamesMissingInputsUnlessUpstreamWillMakeThem() throws {
    let s = try stage()
    #expect(reasons(s, nil, deps: [:]) == ["never run", "dependency `data.csv` missing"])
    #expect(reasons(s, nil, deps: [:], upstream: ["prepare"]) == ["never run"])
  }

  @Test func paramChangeShowsOldAndNewValue() throws {
    let s = try stage()
    #expect(
      reasons(try stage(["epochs=40"]), entry(for: s)) == [
        "command changed", "param `epochs` 30→40",
      ])
  }

  @Test func paramChangeWithoutCommandChange() throws {
    let listed = edited("cmd: train --epochs ${params.epochs}", "cmd: train\n    params: [epochs]")
    let s = try stage(text: listed)
    #expect(
      reasons(try stage(["epochs=40"], text: listed), entry(for: s)) == ["param `epochs` 30→40"])
    // Parameters the stage does not use never make it stale.
    #expect(reasons(try stage(["unused=2"], text: listed), entry(for: s)) == [])
  }

  @Test func paramNewlyUsedOrNoLongerUsed() throws {
    let listed = edited("cmd: train --epochs ${params.epochs}", "cmd: train\n    params: [epochs]")
    let both = edited(
      "cmd: train --epochs ${params.epochs}", "cmd: train\n    params: [epochs, unused]")
    #expect(
      reasons(try stage(text: both), entry(for: try stage(text: listed))) == [
        "param `unused` newly used"
      ])
    #expect(
      reasons(try stage(text: listed), entry(for: try stage(text: both))) == [
        "param `unused` no longer used"
      ])
  }

  @Test func commandChanged() throws {
    let s = try stage()
    let changed = try stage(text: edited("train --epochs", "train --verbose --epochs"))
    #expect(reasons(changed, entry(for: s)) == ["command changed"])
  }

  @Test func environmentChanged() throws {
    let s = try stage()
    #expect(
      reasons(try stage(text: edited("MODE: fast", "MODE: slow")), entry(for: s)) == [
        "environment variable `MODE` changed"
      ])
    #expect(
      reasons(try stage(text: edited("env: {MODE: fast}", "env: {}")), entry(for: s)) == [
        "environment variable `MODE` changed"
      ])
  }

  @Test func redactedSecretsDoNotLookChanged() throws {
    let s = try stage(text: edited("MODE: fast", "API_TOKEN: abc"))
    var recorded = entry(for: s)
    recorded.env = [("API_TOKEN", SecretNames.redacted)]
    #expect(reasons(s, recorded) == [])
  }

  @Test func dependencyChanged() throws {
    let s = try stage()
    #expect(
      reasons(s, entry(for: s), deps: ["data.csv": Digest.of("new")]) == [
        "dependency `data.csv` changed"
      ])
  }

  @Test func dependencyMissing() throws {
    let s = try stage()
    #expect(reasons(s, entry(for: s), deps: [:]) == ["dependency `data.csv` missing"])
  }

  @Test func dependencyAdded() throws {
    let s = try stage()
    let more = try stage(text: edited("deps: [data.csv]", "deps: [data.csv, extra.csv]"))
    #expect(
      reasons(more, entry(for: s), deps: ["data.csv": Self.data, "extra.csv": Self.data]) == [
        "dependency `extra.csv` added"
      ])
  }

  @Test func dependencyRemoved() throws {
    let s = try stage()
    let fewer = try stage(text: edited("deps: [data.csv]", "deps: []"))
    #expect(reasons(fewer, entry(for: s), deps: [:]) == ["dependency `data.csv` removed"])
  }

  @Test func outputMissing() throws {
    let s = try stage()
    #expect(reasons(s, entry(for: s), outs: [:]) == ["output `model.bin` missing"])
  }

  @Test func outputModified() throws {
    let s = try stage()
    #expect(
      reasons(s, entry(for: s), outs: ["model.bin": Digest.of("edited")]) == [
        "output `model.bin` modified"
      ])
  }

  @Test func upstreamStale() throws {
    let s = try stage()
    #expect(
      reasons(s, entry(for: s), upstream: ["prepare", "fetch"]) == [
        "upstream stale (prepare, fetch)"
      ])
  }

  @Test func alwaysRun() throws {
    let always = try stage(text: Self.text + "\n    always_run: true\n")
    #expect(reasons(always, entry(for: always)) == ["always runs (always_run: true)"])
    #expect(reasons(always, nil) == ["always runs (always_run: true)", "never run"])
  }

  @Test func outputFlagChangeIsADefinitionChange() throws {
    let s = try stage()
    let persistent = try stage(
      text: edited("outs: [model.bin]", "outs:\n      - {path: model.bin, persist: true}"))
    #expect(reasons(persistent, entry(for: s)) == ["stage definition changed"])
  }

  @Test func newOutputIsADefinitionChange() throws {
    let s = try stage()
    let more = try stage(text: edited("outs: [model.bin]", "outs: [model.bin, log.txt]"))
    #expect(
      reasons(more, entry(for: s), outs: ["model.bin": Self.model, "log.txt": Digest.of("l")]) == [
        "stage definition changed"
      ])
  }

  @Test func severalReasonsComeCheapestFirst() throws {
    let s = try stage()
    #expect(
      reasons(
        try stage(["epochs=40"]), entry(for: s), deps: ["data.csv": Digest.of("new")], outs: [:],
        upstream: ["prepare"])
        == [
          "command changed", "param `epochs` 30→40", "dependency `data.csv` changed",
          "upstream stale (prepare)", "output `model.bin` missing",
        ])
  }

  @Test func reasonsHaveStableCodesAndSubjects() {
    let cases: [(StaleReason, String, String?)] = [
      (.alwaysRun, "always_run", nil), (.neverRun, "never_run", nil), (.forced, "forced", nil),
      (.commandChanged, "command_changed", nil),
      (.paramChanged(name: "lr", old: .int(1), new: .int(2)), "param_changed", "lr"),
      (.environmentChanged(name: "MODE"), "env_changed", "MODE"),
      (.dependencyChanged(path: "a"), "dependency_changed", "a"),
      (.dependencyAdded(path: "a"), "dependency_added", "a"),
      (.dependencyRemoved(path: "a"), "dependency_removed", "a"),
      (.dependencyMissing(path: "a"), "dependency_missing", "a"),
      (.upstreamStale(["u"]), "upstream_stale", nil),
      (.outputMissing(path: "o"), "output_missing", "o"),
      (.outputModified(path: "o"), "output_modified", "o"),
      (.definitionChanged, "definition_changed", nil),
    ]
    for (reason, code, subject) in cases {
      #expect(reason.code == code)
      #expect(reason.subject == subject)
    }
    #expect(StaleReason.forced.message == "forced (--force)")
  }
}
