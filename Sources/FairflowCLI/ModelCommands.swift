internal import ArgumentParser
internal import ModelImport
internal import ModelStages
internal import Foundation

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
    var predictor = Predictor(model: model, input: input, output: out)
    predictor.batch = batch
    predictor.datasets = datasets?.split(separator: ",").map(String.init)
    let total = try predictor.run { done, all in
      Console.standardError("\rpredict: \(done)/\(all) rows")
    }
    Console.standardError("\n")
    print("predict: \(total) rows → \(out)")
  }
}
