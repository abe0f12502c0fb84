import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowTesting
import Foundation
import HDF5
import ROOTIO
import StageSupport
import Testing

@testable import DataStages

/// `uses: convert`: the configuration's checks and normalised form, a real ROOT file (from
/// ../shared/testdata/root) converted into a file split, and HDF5 datasets copied row by row
/// into a fraction split.
@Suite struct ConvertStageTests {
  static let registry = StageKindRegistry([ConvertStage()])

  static func pipeline(_ with: String, deps: String = "[raw]") -> String {
    """
    stages:
      conv:
        uses: convert
        deps: \(deps)
        outs: [features]
        with: \(with)
    """
  }

  static let root = "inputs: [raw], tree: t, output: features"

  @Test(arguments: [
    ("{tree: t, output: features, jets: [a]}", "convert needs 'inputs' (files or directories)"),
    (
      "{inputs: [raw], tree: t, jets: [a]}",
      "convert needs 'output' (a directory, declared in outs)"
    ),
    ("{\(root)}", "convert needs at least one of collections, jets, labels"),
    (
      "{inputs: [raw], output: features, jets: [a]}",
      "a ROOT convert needs 'tree' (e.g. deepntuplizer/tree)"
    ),
    ("{\(root), jets: [a], format: csv}", "'format' must be root, hdf5 or raw-hdf5"),
    ("{\(root), jets: [1]}", "'jets' must be a list of strings"),
    ("{\(root), jets: [a], chunk_rows: 0}", "'chunk_rows' must be a positive integer"),
    ("{\(root), collections: [a]}", "'collections' must be a mapping"),
    ("{\(root), collections: {c: {max: 2}}}", "collection 'c' needs 'branches'"),
    (
      "{\(root), collections: {c: {branches: [a]}}}",
      "collection 'c' needs 'max' (objects kept per entry)"
    ),
    (
      "{\(root), collections: {c: {branches: [a], max: 2, layout: diagonal}}}",
      "'layout' of collection 'c' must be object-major or feature-major"
    ),
    (
      "{\(root), collections: {c: {branches: [a], max: 2, descending: maybe}}}",
      "'descending' must be true or false"
    ),
    (
      "{\(root), collections: {c: {branches: [a], max: 2, sortby: a}}}",
      "unknown key 'sortby' in collection 'c'"
    ),
    (
      "{\(root), jets: [a], select: \"a >\"}",
      "invalid selection 'a >': expected 'branch op number' at the end"
    ),
    ("{\(root), jets: [a], datasets: {p: [q]}}", "dataset 'p' must name an input dataset"),
    ("{\(root), jets: [a], split: 3}", "'split' must be a mapping (fractions or files)"),
    (
      "{\(root), jets: [a], split: {other: 1}}",
      "'split' needs 'fractions' (with 'seed') or 'files'"
    ),
    (
      "{\(root), jets: [a], split: {fractions: {train: 0.5}, seed: 1}}",
      "split fractions add up to 0.5, not 1"
    ),
    (
      "{\(root), jets: [a], split: {fractions: {train: 1, test: 0}, seed: 1}}",
      "split fraction of 'test' must be positive"
    ),
    (
      "{\(root), jets: [a], split: {fractions: {train: 1}}}",
      "a fraction split needs an integer 'seed'"
    ),
    (
      "{inputs: [raw], format: hdf5, output: features}",
      "an hdf5 convert needs 'datasets' (output: input)"
    ),
    (
      "{inputs: [raw], format: hdf5, output: features, datasets: {a: b}, jets: [x]}",
      "collections, jets, labels and select apply to ROOT inputs; hdf5 inputs map 'datasets'"
    ),
  ])
  func invalidConfigurationIsALocatedLoadError(_ with: String, _ problem: String) throws {
    let ws = try TemporaryWorkspace("convert-invalid")
    defer { ws.destroy() }
    let error = StagePipeline(workspace: ws, registry: Self.registry)
      .loadError(Self.pipeline(with))
    #expect(error?.problem == problem)
    #expect(error?.location?.line == 6)
  }

  @Test func unknownKeysSuggestTheNearestOne() throws {
    let ws = try TemporaryWorkspace("convert-unknown")
    defer { ws.destroy() }
    let error = StagePipeline(workspace: ws, registry: Self.registry)
      .loadError(Self.pipeline("{\(Self.root), jets: [a], formt: root}"))
    #expect(error?.problem == "unknown key 'formt' in 'with' of stage 'conv'")
    #expect(error?.hint == "did you mean 'format'?")
  }

  func config(_ json: String) throws -> ConvertConfig {
    try ConvertConfig(ValueParser.parse(json, file: "t")) { PipelineError($0, hint: $1) }
  }

  @Test func formatIsInferredFromTheInputsAndTheNormalFormDecodesToItself() throws {
    #expect(
      try config(#"{"inputs": "a.root", "tree": "t", "output": "o", "jets": ["x"]}"#).format
        == .root)
    #expect(try config(#"{"inputs": ["a.h5"], "output": "o", "labels": ["x"]}"#).format == .rawHDF5)
    #expect(
      try config(#"{"inputs": ["raw"], "output": "o", "datasets": {"p": "q"}}"#).format == .hdf5)
    let c = try config(
      #"{"inputs": ["raw"], "tree": "t", "output": "o", "collections": {"c": {"branches": ["a"], "max": 2}}, "split": {"files": {"train": "raw/a*"}}}"#
    )
    #expect(c.chunkRows == 1024 && c.batchEntries == 100_000 && c.select == nil)
    #expect(c.collections.first?.layout == .objectMajor && c.collections.first?.descending == true)
    #expect(c.split.names == ["train"])
    #expect(try ConvertConfig(c.value) { PipelineError($0, hint: $1) } == c)
    #expect(
      c.value["select"] == .null
        && c.value["split"]?["files"]?["train"] == .list([.string("raw/a*")]))
  }

  /// Loads and runs `conv` in `ws`.
  func run(_ with: String, deps: String = "[raw]", in ws: TemporaryWorkspace) async throws {
    let loaded = try StagePipeline(workspace: ws, registry: Self.registry)
      .load(Self.pipeline(with, deps: deps))
    try await loaded.executeBuiltin("conv", registry: Self.registry)
  }

  /// ../shared/testdata/root (or FAIRFLOW_ROOT_TESTDATA); nil when neither is there.
  static let testdata: String? = {
    let directory =
      ProcessInfo.processInfo.environment["FAIRFLOW_ROOT_TESTDATA"]
      ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("shared/testdata/root").path
    return FileManager.default.fileExists(atPath: directory + "/uproot-HZZ.root") ? directory : nil
  }()

  @Test func aROOTTreeIsSelectedPaddedAndSplitByFile() async throws {
    guard let testdata = Self.testdata else { return }
    let ws = try TemporaryWorkspace("convert-root")
    defer { ws.destroy() }
    let source = try Data(contentsOf: URL(fileURLWithPath: testdata + "/uproot-HZZ.root"))
    try FileManager.default.createDirectory(
      atPath: ws.path("raw"), withIntermediateDirectories: true)
    try source.write(to: URL(fileURLWithPath: ws.path("raw/a.root")))
    try source.write(to: URL(fileURLWithPath: ws.path("raw/b.root")))
    try await run(
      "{inputs: [raw], tree: events, output: features, jets: [MET_px], select: \"NMuon > 0\", "
        + "collections: {muons: {branches: [Muon_Px, Muon_Charge], max: 2, "
        + "layout: feature-major}}, split: {files: {train: [\"raw/a*\"]}}, batch_entries: 700}",
      in: ws)
    #expect(!ws.exists("features/.train.h5.partial"))
    // Independently: the entries with a muon, their MET and first two muons' Px.
    let tree = try ROOTFile(path: ws.path("raw/a.root")).tree("events")
    let columns = try tree.read(["NMuon", "MET_px", "Muon_Px"])
    let nmuon = columns["NMuon"]!.doubles()
    let met = columns["MET_px"]!.doubles()
    let px = columns["Muon_Px"]!
    let selected = nmuon.indices.filter { nmuon[$0] > 0 }
    let file = try HDF5File.open(ws.path("features/train.h5"))
    defer { file.close() }
    #expect(try file.attributes.int("rows") == selected.count)
    #expect(try file.attributes.strings("source_files") == ["raw/a.root", "raw/b.root"])
    #expect(try file.attributes.string("selection") == "NMuon > 0")
    #expect(try file.root.dataset("jets").read(as: Float.self) == selected.map { Float(met[$0]) })
    let muons = try file.root.dataset("muons")
    #expect(try muons.shape == [selected.count, 2, 2])
    #expect(try muons.attributes.strings("layout") == ["feature-major"])
    // Feature-major: per row, the Px of up to two muons (zero-padded), then their charges.
    let values = try muons.read(as: Float.self)
    let all = px.doubles()
    for (row, entry) in selected.prefix(50).enumerated() {
      let start = px.offsets![entry]
      let count = min(2, px.offsets![entry + 1] - start)
      let expected = (0..<2).map { $0 < count ? Float(all[start + $0]) : 0 }
      #expect(Array(values[(row * 4)..<(row * 4 + 2)]) == expected, "row \(row)")
    }
  }

  /// Writes `name` with rows `base..<base + n` of a float32 [n, 2, 2] `images`, a float64
  /// [n, 2] `positions` and an int16 [n] `kind`.
  func writeHDF5(_ path: String, rows n: Int, base: Int) throws {
    let file = try HDF5File.create(path)
    defer { file.close() }
    let images = (0..<(n * 4)).map { Float(base * 4 + $0) }
    _ = try file.root.createDataset("images", values: images, shape: [n, 2, 2])
    let positions = (0..<(n * 2)).map { Double(base * 2 + $0) / 2 }
    _ = try file.root.createDataset("positions", values: positions, shape: [n, 2])
    let kind = (0..<n).map { Int16(base + $0) }
    _ = try file.root.createDataset("kind", values: kind, shape: [n])
  }

  @Test func hdf5DatasetsAreCopiedRowByRowIntoAFractionSplit() async throws {
    let ws = try TemporaryWorkspace("convert-h5")
    defer { ws.destroy() }
    try FileManager.default.createDirectory(
      atPath: ws.path("raw"), withIntermediateDirectories: true)
    try writeHDF5(ws.path("raw/p-0.h5"), rows: 11, base: 0)
    try writeHDF5(ws.path("raw/p-1.h5"), rows: 7, base: 11)
    try await run(
      "{inputs: [raw], datasets: {patch: images, center: positions, kind: kind}, "
        + "split: {fractions: {train: 0.5, test: 0.5}, seed: 3}, output: features, "
        + "batch_entries: 4}", in: ws)
    var seen: [Int16] = []
    for split in ["train", "test"] {
      let file = try HDF5File.open(ws.path("features/\(split).h5"))
      defer { file.close() }
      #expect(try file.attributes.strings("split_names") == ["train", "test"])
      let kind = try file.root.dataset("kind")
      #expect(kind.elementType == .float64, "other integer widths are copied as float64")
      let rows = try kind.read(as: Double.self).map { Int16($0) }
      #expect(rows.count == 9)
      let patch = try file.root.dataset("patch")
      #expect(try patch.elementType == .float32 && patch.shape == [9, 2, 2])
      let center = try file.root.dataset("center")
      #expect(try center.elementType == .float64 && center.shape == [9, 2])
      let images = try patch.read(as: Float.self)
      let positions = try center.read(as: Double.self)
      for (i, row) in rows.enumerated() {
        #expect(Array(images[(i * 4)..<(i * 4 + 4)]) == (0..<4).map { Float(Int(row) * 4 + $0) })
        #expect(Array(positions[(i * 2)..<(i * 2 + 2)]) == [Double(row), Double(row) + 0.5])
      }
      seen += rows
    }
    #expect(seen.sorted() == Array(0..<18), "every source row in exactly one split")
  }

  @Test func inputsAndOutputMustBeDeclared() async throws {
    let ws = try TemporaryWorkspace("convert-undeclared")
    defer { ws.destroy() }
    try FileManager.default.createDirectory(
      atPath: ws.path("raw"), withIntermediateDirectories: true)
    try writeHDF5(ws.path("raw/p.h5"), rows: 2, base: 0)
    await #expect {
      try await run(
        "{inputs: [raw], datasets: {patch: images}, output: features}", deps: "[other]", in: ws)
    } throws: { error in
      (error as? StageError)?.message
        == "input 'raw' is not among the deps of stage 'conv' (declare it so changes rerun the stage)"
    }
    await #expect {
      try await run("{inputs: [raw], datasets: {patch: images}, output: elsewhere}", in: ws)
    } throws: { error in
      (error as? StageError)?.message == "output 'elsewhere' is not among the outs of stage 'conv'"
    }
    await #expect {
      try await run("{inputs: [raw], datasets: {patch: nothing}, output: features}", in: ws)
    } throws: { error in "\(error)".contains("nothing") }
  }
}
