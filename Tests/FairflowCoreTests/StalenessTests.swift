import FairflowCore
import Foundation
import Testing

@Suite struct StalenessTests {
  static let text = """
    params: {epochs: 30}
    stages:
      train:
        cmd: train --epochs ${params.epochs}
        deps: [data.csv]
        outs: [model.bin]
    """
  static let data = Digest.of("data"), model = Digest.of("model")

  func stage(_ overrides: [String] = [], text: String = text) throws -> Stage {
    try expand(text, overrides: overrides).stage("train")
  }

  func entry(for stage: Stage) -> LockEntry {
    LockEntry(
      stage: "train",
      fingerprint: Fingerprint.of(stage, dependencyDigests: ["data.csv": Self.data]),
      command: stage.displayCommand, params: stage.params, env: [],
      deps: [PathRecord(path: "data.csv", digest: Self.data, size: 4)],
      outs: [PathRecord(path: "model.bin", digest: Self.model, size: 5)], run: "r")
  }

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
    #expect(reasons(s, entry(for: s)).isEmpty)
  }

  @Test func eachChangeHasItsReason() throws {
    let s = try stage()
    let recorded = entry(for: s)
    #expect(reasons(s, nil) == ["never run"])
    #expect(reasons(s, nil, deps: [:]) == ["never run", "dependency `data.csv` missing"])
    #expect(
      reasons(try stage(["epochs=40"]), recorded) == ["command changed", "param `epochs` 30→40"])
    #expect(
      reasons(s, recorded, deps: ["data.csv": Digest.of("new")]) == [
        "dependency `data.csv` changed"
      ])
    #expect(reasons(s, recorded, deps: [:]) == ["dependency `data.csv` missing"])
    #expect(reasons(s, recorded, outs: [:]) == ["output `model.bin` missing"])
    #expect(
      reasons(s, recorded, outs: ["model.bin": Digest.of("edited")]) == [
        "output `model.bin` modified"
      ])
    #expect(reasons(s, recorded, upstream: ["prepare"]) == ["upstream stale (prepare)"])
    let withDep = try stage(
      text: Self.text.replacingOccurrences(
        of: "deps: [data.csv]", with: "deps: [data.csv, extra.csv]"))
    #expect(
      reasons(withDep, recorded, deps: ["data.csv": Self.data, "extra.csv": Self.data]) == [
        "dependency `extra.csv` added"
      ])
    let noDep = try stage(
      text: Self.text.replacingOccurrences(of: "deps: [data.csv]", with: "deps: []"))
    #expect(reasons(noDep, recorded, deps: [:]) == ["dependency `data.csv` removed"])
    let always = try stage(text: Self.text + "\n    always_run: true\n")
    #expect(reasons(always, entry(for: always)) == ["always runs (always_run: true)"])
  }

  @Test func builtinVersionChangeIsADefinitionChange() throws {
    var s = try stage()
    let recorded = entry(for: s)
    s.outputs[0].persist = true
    #expect(reasons(s, recorded) == ["stage definition changed"])
  }
}
