import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowTesting
import HDF5
import Testing

@testable import DataStages

/// `uses: generate`: the configuration's checks and normalised form, and small runs of both
/// kinds read back from their HDF5 files.
@Suite struct GenerateStageTests {
  static let registry = StageKindRegistry([GenerateStage()])

  static func pipeline(_ with: String) -> String {
    """
    stages:
      gen:
        uses: generate
        outs: [raw]
        with: \(with)
    """
  }

  @Test(arguments: [
    ("{count: 5, output: raw/a.h5}", "'with' of stage 'gen' needs 'kind'"),
    (
      "{kind: 3, count: 5, output: raw/a.h5}",
      "expected a string for 'kind' of stage 'gen', found 3"
    ),
    ("{kind: cats, count: 5, output: raw/a.h5}", "unknown kind 'cats'"),
    ("{kind: hbb-jets, output: raw/a.h5}", "'with' of stage 'gen' needs 'count'"),
    (
      "{kind: hbb-jets, count: many, output: raw/a.h5}",
      "expected an integer for 'count' of stage 'gen', found \"many\""
    ),
    ("{kind: hbb-jets, count: 0, output: raw/a.h5}", "'count' must be between 1 and 50,000,000"),
    (
      "{kind: bragg-peaks, count: 50000001, output: raw/a.h5}",
      "'count' must be between 1 and 50,000,000"
    ),
    (
      "{kind: hbb-jets, count: 5, seed: 1.5, output: raw/a.h5}",
      "expected an integer for 'seed' of stage 'gen', found 1.5"
    ),
    ("{kind: hbb-jets, count: 5}", "'with' of stage 'gen' needs 'output'"),
    (
      "{kind: hbb-jets, count: 5, output: [raw/a.h5]}",
      "expected a string for 'output' of stage 'gen', found [\"raw/a.h5\"]"
    ),
  ])
  func invalidConfigurationIsALocatedLoadError(_ with: String, _ problem: String) throws {
    let ws = try TemporaryWorkspace("generate-invalid")
    defer { ws.destroy() }
    let error = StagePipeline(workspace: ws, registry: Self.registry)
      .loadError(Self.pipeline(with))
    #expect(error?.problem == problem)
    #expect(error?.location?.line == 5)
  }

  @Test func unknownKindsAndKeysSayWhatIsAvailable() throws {
    let ws = try TemporaryWorkspace("generate-unknown")
    defer { ws.destroy() }
    let fixture = StagePipeline(workspace: ws, registry: Self.registry)
    let kind = fixture.loadError(Self.pipeline("{kind: cats, count: 5, output: raw/a.h5}"))
    #expect(kind?.hint == "available: hbb-jets, bragg-peaks")
    let key = fixture.loadError(
      Self.pipeline("{kind: hbb-jets, count: 5, output: raw/a.h5, sed: 2}"))
    #expect(key?.problem == "unknown key 'sed' in 'with' of stage 'gen'")
    #expect(key?.hint == "did you mean 'seed'?")
  }

  @Test func normalisedFormFillsTheSeedAndDecodesToItself() throws {
    let config = try GenerateConfig(
      .map([("kind", .string("bragg-peaks")), ("count", .int(7)), ("output", .string("a.h5"))])
    ) { PipelineError($0, hint: $1) }
    #expect(config.kind == .braggPeaks && config.count == 7 && config.seed == 1)
    #expect(
      config.value.canonicalText
        == Value.map([
          ("count", .int(7)), ("kind", .string("bragg-peaks")), ("output", .string("a.h5")),
          ("seed", .int(1)),
        ]).canonicalText)
    let again = try GenerateConfig(config.value) { PipelineError($0, hint: $1) }
    #expect(again == config)
    let negative = try GenerateConfig(
      .map([
        ("kind", .string("hbb-jets")), ("count", .int(1)), ("seed", .int(-1)),
        ("output", .string("a.h5")),
      ])
    ) { PipelineError($0, hint: $1) }
    #expect(negative.generatorSeed == UInt64.max)
  }

  /// Runs `gen` with `with` in a fresh workspace; returns the workspace.
  func run(_ with: String, name: String) async throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    let loaded = try StagePipeline(workspace: ws, registry: Self.registry)
      .load(Self.pipeline(with))
    try await loaded.executeBuiltin("gen", registry: Self.registry)
    return ws
  }

  @Test func hbbJetsAreJaggedBranchesWithCounters() async throws {
    let ws = try await run("{kind: hbb-jets, count: 25, seed: 3, output: raw/jets.h5}", name: "hbb")
    defer { ws.destroy() }
    #expect(!ws.exists("raw/jets.h5.partial"))
    let file = try HDF5File.open(ws.path("raw/jets.h5"))
    defer { file.close() }
    #expect(try file.attributes.string("fairflow_raw_format") == "jagged/1")
    #expect(try file.attributes.string("generator") == "hbb-jets/1")
    #expect(try file.attributes.int("entries") == 25)
    #expect(try file.attributes.int("seed") == 3)
    let pt = try file.root.dataset("fj_pt").read(as: Float.self)
    #expect(pt.count == 25 && pt.allSatisfy { $0 >= 300 && $0 < 1000 })
    let isH = try file.root.dataset("fj_isH").read(as: Int32.self)
    let isQCD = try file.root.dataset("fj_isQCD").read(as: Int32.self)
    #expect(zip(isH, isQCD).allSatisfy { $0 + $1 == 1 })
    let ntrack = try file.root.dataset("ntrack").read(as: Int32.self)
    let nsv = try file.root.dataset("nsv").read(as: Int32.self)
    for name in HbbJets.trackFeatures {
      let dataset = try file.root.dataset(name)
      #expect(try dataset.shape == [Int(ntrack.reduce(0, +))])
      #expect(try dataset.attributes.string("counter") == "ntrack")
    }
    for name in HbbJets.vertexFeatures {
      let dataset = try file.root.dataset(name)
      #expect(try dataset.shape == [Int(nsv.reduce(0, +))])
      #expect(try dataset.attributes.string("counter") == "nsv")
    }
    // The same seed draws the same jets; another seed other jets.
    let same = try await run(
      "{kind: hbb-jets, count: 25, seed: 3, output: raw/jets.h5}", name: "hbb-same")
    defer { same.destroy() }
    let again = try HDF5File.open(same.path("raw/jets.h5"))
    defer { again.close() }
    #expect(try again.root.dataset("fj_pt").read(as: Float.self) == pt)
    #expect(
      try again.root.dataset("trackBTag_Sip2dSig").read(as: Float.self)
        == file.root.dataset("trackBTag_Sip2dSig").read(as: Float.self))
  }

  @Test func braggPeaksAreNormalisedPatchesWithCentres() async throws {
    let ws = try await run(
      "{kind: bragg-peaks, count: 6, seed: 2, output: raw/peaks.h5}", name: "bragg")
    defer { ws.destroy() }
    let file = try HDF5File.open(ws.path("raw/peaks.h5"))
    defer { file.close() }
    #expect(try file.attributes.string("generator") == "bragg-peaks/2")
    let patch = try file.root.dataset("patch")
    #expect(try patch.shape == [6, 1, 11, 11])
    let values = try patch.read(as: Float.self)
    #expect(values.allSatisfy { $0 >= 0 && $0 <= 1 })
    let ploc = try file.root.dataset("ploc")
    #expect(try ploc.shape == [6, 2])
    // Centres lie in [4, 7) pixels on both axes (stored divided by the patch size).
    #expect(try ploc.read(as: Float.self).allSatisfy { $0 * 11 >= 3.99 && $0 * 11 < 7.01 })
  }
}
