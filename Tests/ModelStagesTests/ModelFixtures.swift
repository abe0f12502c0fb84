import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowTesting
import Foundation
import HDF5
import NeuralKit
import Testing

@testable import ModelStages

/// Tiny inputs for the model kinds' tests: jet splits and Bragg-peak patches written as
/// `convert` writes them, pipelines of built-in stages run in this process, and validation of a
/// `with:` mapping through the kind with a `ConfigReader`.
enum ModelFixtures {
  static let registry = StageKindRegistry([
    TrainStage(), ExportStage(), ImportStage(), EvaluateStage(), InterpretStage(), CompareStage(),
    ConsistencyStage(), AggregateStage(),
  ])
  static let trackFeatures = ["track_pt", "track_eta", "track_phi", "track_d0"]
  static let vertexFeatures = ["sv_mass", "sv_pt"]
  /// Track and vertex slots per jet.
  static let tracks = 3
  static let vertices = 2

  /// `jets` jets as `convert` writes a split (feature-major, features named): tracks
  /// [N, 4, 3], vertices [N, 2, 2], one-hot labels [N, 2] (QCD, H); class-1 jets have larger
  /// `track_pt` and `sv_mass`, so a network learns them quickly.
  static func writeJets(_ ws: TemporaryWorkspace, _ path: String, jets: Int, seed: UInt64) throws {
    var g = SplitMix64(seed: seed)
    var t: [Float] = []
    var v: [Float] = []
    var labels: [Float] = []
    for _ in 0..<jets {
      let signal = g.next() % 2 == 1
      for f in 0..<trackFeatures.count {
        for _ in 0..<tracks { t.append(g.uniform(-1, 1) + (signal && f == 0 ? 1.5 : 0)) }
      }
      for f in 0..<vertexFeatures.count {
        for _ in 0..<vertices { v.append(g.uniform(0, 1) + (signal && f == 0 ? 1 : 0)) }
      }
      labels += signal ? [0, 1] : [1, 0]
    }
    let file = try create(ws, path)
    defer { file.close() }
    let trackSet = try file.root.createDataset(
      "tracks", values: t, shape: [jets, trackFeatures.count, tracks])
    try trackSet.attributes.set("features", to: trackFeatures)
    let vertexSet = try file.root.createDataset(
      "vertices", values: v, shape: [jets, vertexFeatures.count, vertices])
    try vertexSet.attributes.set("features", to: vertexFeatures)
    _ = try file.root.createDataset("labels", values: labels, shape: [jets, 2])
  }

  /// `count` 11×11 patches of one Gaussian peak each (`patch` [N, 1, 11, 11]) and the peaks'
  /// positions as fractions of the patch (`ploc` [N, 2]).
  static func writePeaks(_ ws: TemporaryWorkspace, _ path: String, count: Int, seed: UInt64)
    throws
  {
    var g = SplitMix64(seed: seed)
    var patches = [Float](repeating: 0, count: count * 121)
    var positions: [Float] = []
    for i in 0..<count {
      let (cx, cy) = (g.uniform(3, 8), g.uniform(3, 8))
      for y in 0..<11 {
        for x in 0..<11 {
          let d = (Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)
          patches[i * 121 + y * 11 + x] = Kernels.exp(-d / 3)
        }
      }
      positions += [cx / 11, cy / 11]
    }
    let file = try create(ws, path)
    defer { file.close() }
    _ = try file.root.createDataset("patch", values: patches, shape: [count, 1, 11, 11])
    _ = try file.root.createDataset("ploc", values: positions, shape: [count, 2])
  }

  /// Jet splits `features/{train,validation,test}.h5` (60, 30 and 40 jets).
  static func writeJetSplits(_ ws: TemporaryWorkspace) throws {
    try writeJets(ws, "features/train.h5", jets: 60, seed: 1)
    try writeJets(ws, "features/validation.h5", jets: 30, seed: 2)
    try writeJets(ws, "features/test.h5", jets: 40, seed: 3)
  }

  static func create(_ ws: TemporaryWorkspace, _ path: String) throws -> HDF5File {
    let full = ws.path(path)
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    return try HDF5File.create(full)
  }

  /// An interaction-network `train` stage writing `output` (one epoch by default).
  static func trainStage(
    _ name: String = "train", output: String = "models/in", epochs: Int = 1, extra: String = ""
  ) -> String {
    """
      \(name):
        uses: train
        outs: [\(output)]
        with:
          model: interaction-network
          architecture: {hidden: 6, edge_features: 3, output_features: 3}
          train: features/train.h5
          validation: features/validation.h5
          epochs: \(epochs)
          batch_size: 16
          seed: 2
          threads: 1
          output: \(output)\(extra)

    """
  }

  /// Writes `stages` (YAML under `stages:`) as a pipeline and loads it.
  static func load(_ stages: String, in ws: TemporaryWorkspace) throws -> LoadedPipeline {
    try ws.write("pipelines/p.yaml", "stages:\n" + stages)
    return try LoadedPipeline.load(
      ws.path("pipelines/p.yaml"), in: Workspace(root: ws.root), registry: registry)
  }

  /// Loads `stages` and runs the named ones in this process, in order.
  static func run(_ stages: String, _ names: [String], in ws: TemporaryWorkspace) async throws {
    let loaded = try load(stages, in: ws)
    for name in names { try await loaded.executeBuiltin(name, registry: registry) }
  }

  /// `kind`'s validation of `with` (JSON) for a stage named `stage`: the normalised
  /// configuration, or the problem and hint.
  static func validate(_ kind: any StageKind, _ with: String, stage: String = "s") throws
    -> Result<Value, PipelineError>
  {
    let reader = try ConfigReader(
      stage: stage, config: try ValueParser.parse(with, file: "with.json"),
      location: SourceLocation(file: "p.yaml", line: 1, column: 1)
    ) { PipelineError($0, hint: $1) }
    do { return .success(try kind.validate(reader)) } catch { return .failure(error) }
  }

  /// The error `kind` reports for `with` (JSON), or nil when it is valid.
  static func failure(_ kind: any StageKind, _ with: String, stage: String = "s") throws
    -> PipelineError?
  {
    if case .failure(let e) = try validate(kind, with, stage: stage) { return e }
    return nil
  }

  /// The problem `kind` reports for `with` (JSON), or nil when it is valid.
  static func problem(_ kind: any StageKind, _ with: String, stage: String = "s") throws
    -> String?
  {
    try failure(kind, with, stage: stage)?.problem
  }

  /// The normalised configuration of a valid `with` (JSON).
  static func normalised(_ kind: any StageKind, _ with: String) throws -> Value {
    try validate(kind, with).get()
  }

  /// A JSON file's contents.
  static func json(_ ws: TemporaryWorkspace, _ path: String) throws -> Value {
    try ValueParser.parse(try ws.read(path), file: path)
  }
}
