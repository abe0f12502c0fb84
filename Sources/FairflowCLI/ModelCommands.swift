import ModelStages
internal import ArgumentParser
internal import Foundation
internal import FairflowCore
internal import FairflowStore
internal import FairflowStages
internal import HDF5
internal import ModelImport
internal import NeuralKit
import FairflowBase

/// `fairflow import-model FILE --arch … --out DIR`.
struct ImportModel: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import-model",
    abstract:
      "Import a published model (PyTorch .pt/.pth, safetensors or ONNX) as a native model directory."
  )
  @Argument(help: "The model file.") var file: String
  @Option(help: "interaction-network or braggnn.") var arch: String
  @Option(help: "Output directory (model.json + model.safetensors).") var out: String
  @Option(help: "Interaction network: tracks per jet (checkpoints do not say).") var tracks = 60
  @Option(help: "Interaction network: vertices per jet.") var vertices = 5
  @Option(help: "DOI the file was published under (recorded in model.json).") var doi: String?
  @Option(help: "URL the file came from (recorded in model.json).") var url: String?

  func run() async throws {
    guard let architecture = ModelImporter.Architecture(rawValue: arch) else {
      throw ValidationError("--arch must be interaction-network or braggnn")
    }
    let cwd = FileManager.default.currentDirectoryPath
    func absolute(_ p: String) -> String { p.hasPrefix("/") ? p : cwd + "/" + p }
    print(
      try ModelImportRunner.run(
        source: absolute(file), display: file, arch: architecture, output: absolute(out),
        tracks: tracks, vertices: vertices, doi: doi, url: url))
  }
}

/// `fairflow predict MODEL INPUT.h5 --out OUTPUT.h5`.
struct Predict: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Run a model directory on every row of an HDF5 file; write the raw outputs.",
    discussion: """
      Interaction network: reads `tracks` [N, P, N_tracks] and `vertices` [N, S, N_vertices] (the \
      model's features picked by name when the file names them), writes `logits` [N, classes]. \
      BraggNN: reads `patch` [N, 1, P, P], writes `ploc` [N, 2].
      """)
  @Argument(help: "Model directory (model.json + model.safetensors).") var model: String
  @Argument(help: "Input HDF5 file.") var input: String
  @Option(help: "Output HDF5 file.") var out: String
  @Option(help: "Rows per batch.") var batch = 1024
  @Option(help: "Dataset names: tracks,vertices (IN) or patch (BraggNN).") var datasets: String?

  func run() async throws {
    Training.reuseLargeAllocations()
    let json = try FileIO.readText(model + "/model.json")
    let weights = try FileIO.read(model + "/model.safetensors")
    let loaded = try ModelImporter.load(json: json, safetensors: weights)
    let source = try HDF5File.open(input)
    let names = datasets?.split(separator: ",").map(String.init)
    let partial = out + ".partial"
    let target = try HDF5File.create(partial)
    var total = 0
    switch loaded {
    case .interactionNetwork(let m):
      // The model's features are picked from the file by name (model.json lists them), so a
      // model trained on a subset reads a full `convert` split.
      let inputs = try JetInputs(
        model: m, json: json, file: source, path: input, tracks: names?.first ?? "tracks",
        vertices: names?.dropFirst().first ?? "vertices", labels: nil)
      let c = m.configuration
      let logits = try target.root.createDataset(
        "logits", elementType: .float32, shape: [0, c.classes],
        options: HDF5DatasetOptions(chunkRows: 4096, unlimitedRows: true))
      for lo in stride(from: 0, to: inputs.rows, by: batch) {
        let rows = lo..<min(inputs.rows, lo + batch)
        let (x, y) = try inputs.features(rows)
        try logits.append(rows: m.infer(tracks: x, vertices: y).data)
        total = rows.upperBound
        Console.standardError("\rpredict: \(total)/\(inputs.rows) rows")
      }
    case .braggNN(let m):
      let p = try source.root.inputDataset(names?.first ?? "patch")
      let ps = try p.shape
      let size = m.configuration.patch
      guard ps.dropFirst() == [1, size, size] else {
        throw ValidationError("input shape \(ps) does not fit the model ([N, 1, \(size), \(size)])")
      }
      let ploc = try target.root.createDataset(
        "ploc", elementType: .float32, shape: [0, 2],
        options: HDF5DatasetOptions(chunkRows: 4096, unlimitedRows: true))
      for lo in stride(from: 0, to: ps[0], by: batch) {
        let rows = lo..<min(ps[0], lo + batch)
        let x = Tensor(
          shape: [rows.count] + ps.dropFirst(), data: try p.read(rows: rows, as: Float.self))
        try ploc.append(rows: Training.predict(m, patches: x, batchSize: batch))
        total = rows.upperBound
        Console.standardError("\rpredict: \(total)/\(ps[0]) rows")
      }
    }
    Console.standardError("\n")
    try target.attributes.set("model_sha256", to: Digest.of(weights).hex)
    try target.attributes.set("input", to: input)
    try target.flush()
    target.close()
    source.close()
    guard rename(partial, out) == 0 else { throw ValidationError("cannot write \(out)") }
    print("predict: \(total) rows → \(out)")
  }
}
