import FairflowTesting
import Foundation
import HDF5
import Testing

/// `uses: convert` on an RNTuple: uproot writes the same arrays as a TTree and as an RNTuple
/// (`ROOTIOTests/Peers/make_rntuples.py DIR parity`), and converting either with the same
/// configuration (fields named like branches) gives identical HDF5 datasets.
@Suite struct ConvertRNTupleTests {
  static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("ROOTIOTests/Peers/make_rntuples.py").path

  @Test func aTreeAndAnRNTupleOfTheSameArraysConvertToIdenticalDatasets() async throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let made = try TemporaryWorkspace("rntuple-parity")
    defer { made.destroy() }
    let result = try Shell.run([python, Self.script, made.root, "parity"], in: made.root)
    try #require(result.status == 0, "make_rntuples.py failed: \(result.stderr)")
    var converted: [[String: ([Int], [Float])]] = []
    var names: [[String]] = []
    for name in ["parity-tree.root", "parity-rntuple.root"] {
      let ws = try TemporaryWorkspace("convert-rntuple")
      defer { ws.destroy() }
      try FileManager.default.createDirectory(
        atPath: ws.path("raw"), withIntermediateDirectories: true)
      try FileManager.default.copyItem(atPath: made.path(name), toPath: ws.path("raw/events.root"))
      try await ConvertStageTests().run(
        "{inputs: [raw], tree: events, output: features, jets: [met, run], select: \"met > 10\", "
          + "collections: {ak4: {branches: [Jet_pt, Jet_eta], max: 3}}, "
          + "split: {files: {train: [\"raw/*\"]}}, batch_entries: 700}",
        in: ws)
      let file = try HDF5File.open(ws.path("features/train.h5"))
      defer { file.close() }
      var datasets: [String: ([Int], [Float])] = [:]
      for dataset in ["jets", "ak4"] {
        let d = try file.root.dataset(dataset)
        datasets[dataset] = (try d.shape, try d.read(as: Float.self))
      }
      #expect(try file.attributes.int("rows") > 1000)
      names.append(try file.root.datasetNames())
      converted.append(datasets)
    }
    for dataset in ["jets", "ak4"] {
      let (tree, ntuple) = (converted[0][dataset]!, converted[1][dataset]!)
      #expect(tree.0 == ntuple.0, "\(dataset) shape")
      #expect(tree.1.map(\.bitPattern) == ntuple.1.map(\.bitPattern), "\(dataset) values")
    }
    #expect(converted[0]["ak4"]!.0.count == 3)
    #expect(names[0] == names[1] && names[0].contains("ak4"))
  }
}
