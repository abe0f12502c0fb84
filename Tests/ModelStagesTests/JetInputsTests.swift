import FairflowBase
import FairflowCore
import FairflowTesting
import HDF5
import NeuralKit
import Testing
@testable import ModelStages

/// `JetInputs` picks a model's features from a split by name: a subset in another order reads the
/// right values, a missing feature is named, files without names must match exactly.
@Suite struct JetInputsTests {
  /// 3 jets, tracks [3, 4 features, 2 slots] with value 100·jet + 10·feature + slot, vertices
  /// [3, 2, 1], labels one-hot (class = jet mod 2).
  func split(_ ws: TemporaryWorkspace, named: Bool = true) throws -> HDF5File {
    let file = try HDF5File.create(ws.path("split.h5"))
    var t: [Float] = []
    for j in 0..<3 { for f in 0..<4 { for s in 0..<2 { t.append(Float(100 * j + 10 * f + s)) } } }
    let tracks = try file.root.createDataset("tracks", values: t, shape: [3, 4, 2])
    let vertices = try file.root.createDataset(
      "vertices", values: (0..<6).map(Float.init), shape: [3, 2, 1])
    _ = try file.root.createDataset(
      "labels", values: [Float]([1, 0, 0, 1, 1, 0]), shape: [3, 2])
    if named {
      try tracks.attributes.set("features", to: ["a", "b", "c", "d"])
      try vertices.attributes.set("features", to: ["v0", "v1"])
    }
    return file
  }

  @Test func selectsFeaturesByNameInModelOrder() throws {
    let ws = try TemporaryWorkspace("jet-inputs")
    defer { ws.destroy() }
    let file = try split(ws)
    defer { file.close() }
    let inputs = try JetInputs(
      file: file, path: "split.h5", wantedTracks: ["d", "b"], wantedVertices: ["v1"])
    #expect(inputs.trackShape == [2, 2] && inputs.vertexShape == [1, 1])
    let set = try inputs.block(1..<3)
    // jet 1: feature d (3) then b (1), slots 0 and 1; jet 2 likewise.
    #expect(set.tracks.data == [130, 131, 110, 111, 230, 231, 210, 211])
    #expect(set.vertices.data == [3, 5])
    #expect(set.labels == [1, 0])
    #expect(inputs.trackNames == ["d", "b"])
  }

  @Test func allFeaturesAsIsWhenNothingIsWanted() throws {
    let ws = try TemporaryWorkspace("jet-inputs")
    defer { ws.destroy() }
    let file = try split(ws)
    defer { file.close() }
    let inputs = try JetInputs(file: file, path: "split.h5")
    #expect(inputs.trackNames == ["a", "b", "c", "d"])
    #expect(try inputs.block(0..<1).tracks.data == [0, 1, 10, 11, 20, 21, 30, 31])
  }

  @Test func missingFeatureIsNamed() throws {
    let ws = try TemporaryWorkspace("jet-inputs")
    defer { ws.destroy() }
    let file = try split(ws)
    defer { file.close() }
    #expect {
      _ = try JetInputs(
        file: file, path: "split.h5", wantedTracks: ["a", "track_quality"], wantedVertices: ["v0"])
    } throws: { error in
      "\(error)".contains("needs track feature 'track_quality'")
        && "\(error)".contains("split.h5")
    }
  }

  @Test func unnamedFileMustMatchTheModelsCount() throws {
    let ws = try TemporaryWorkspace("jet-inputs")
    defer { ws.destroy() }
    let file = try split(ws, named: false)
    defer { file.close() }
    let inputs = try JetInputs(
      file: file, path: "split.h5", wantedTracks: ["x", "y", "z", "w"], expectedTracks: 4)
    #expect(inputs.trackNames == ["track_0", "track_1", "track_2", "track_3"])
    #expect {
      _ = try JetInputs(file: file, path: "split.h5", wantedTracks: ["x"], expectedTracks: 1)
    } throws: { error in
      "\(error)".contains("has 4 track features, the model takes 1")
        && "\(error)".contains("does not name its features")
    }
  }

  @Test func resultTableMarkdownAndRoundTrip() throws {
    let table = ResultTable(
      title: "T", columns: ["a", "b|c"], rows: [["1", "2"]], note: "n")
    #expect(table.markdown == "## T\n\n| a | b\\|c |\n| --- | --- |\n| 1 | 2 |\n\nn\n")
    #expect(ResultTable.parse(.map([("table", table.value)])) == table)
    #expect(
      grouped(25_554) == "25,554" && grouped(842) == "842" && grouped(1_000_000) == "1,000,000")
  }

  @Test func trainConfigDropKeys() throws {
    func config(_ extra: [(key: String, value: Value)]) throws(PipelineError) -> TrainConfig {
      try TrainConfig(
        .map(
          [
            ("model", .string("interaction-network")), ("train", .string("t.h5")),
            ("output", .string("m")),
          ] + extra)
      ) { PipelineError($0, hint: $1) }
    }
    let c = try config([
      ("drop_features", .list([.string("track_quality")])),
      (
        "drop_unimportant",
        .map([("interpret", .string("i.json")), ("tracks", .int(12)), ("vertices", .int(5))])
      ),
    ])
    #expect(c.dropFeatures == ["track_quality"])
    #expect(c.dropUnimportant == .init(interpret: "i.json", tracks: 12, vertices: 5, below: nil))
    // Round trip through the validated value (the fingerprinted form).
    #expect(try TrainConfig(c.value) { PipelineError($0, hint: $1) } == c)
    // Without the keys the value has none (existing stages keep their fingerprints).
    #expect(try config([]).value["drop_features"] == nil)
    #expect(throws: PipelineError.self) {
      try config([("drop_unimportant", .map([("interpret", .string("i.json"))]))])
    }
    #expect(throws: PipelineError.self) {
      try config([("drop_unimportant", .map([("interpret", .string("i.json")), ("top", .int(1))]))])
    }
    #expect(throws: PipelineError.self) { try config([("drop_features", .string("x"))]) }
  }
}
