internal import FairflowBase
internal import FairflowStore
internal import HDF5
internal import ModelImport
internal import NeuralKit
internal import StageSupport
internal import Glibc

/// Runs a model directory (from `train` or `import`) on every row of an HDF5 file and writes the
/// raw outputs, in batches, to a new HDF5 file (written under `.partial`, renamed at the end):
/// interaction network `tracks`/`vertices` → `logits` [N, classes] (the model's features picked
/// from the file by name), BraggNN `patch` [N, 1, P, P] → `ploc` [N, 2]. What `fairflow
/// predict` does; the output records the weights' SHA-256 and the input's path.
package struct Predictor: Sendable {
  package let model: String
  package let input: String
  package let output: String
  package var batch = 1024
  /// Dataset names: tracks and vertices (interaction network) or patch (BraggNN).
  package var datasets: [String]?

  package init(model: String, input: String, output: String) {
    self.model = model
    self.input = input
    self.output = output
  }

  /// Predicts every row; `progress(done, total)` after each batch. Returns the rows written.
  package func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> Int {
    Training.reuseLargeAllocations()
    let json = try FileIO.readText(model + "/model.json")
    let weights = try FileIO.read(model + "/model.safetensors")
    let loaded = try ModelImporter.load(json: json, safetensors: weights)
    let source = try HDF5File.open(input)
    defer { source.close() }
    let partial = output + ".partial"
    let target = try HDF5File.create(partial)
    let total: Int
    switch loaded {
    case .interactionNetwork(let m):
      total = try jets(
        m, loaded, json: json, source: source, target: target, progress: progress)
    case .braggNN(let m):
      total = try patches(m, loaded, source: source, target: target, progress: progress)
    }
    try target.attributes.set("model_sha256", to: Digest.of(weights).hex)
    try target.attributes.set("input", to: input)
    try target.flush()
    target.close()
    guard rename(partial, output) == 0 else {
      throw StageError("cannot write \(output)", exitStatus: .invalidInput)
    }
    return total
  }

  private func jets(
    _ m: InteractionNetwork, _ model: ModelImporter.Model, json: String, source: HDF5File,
    target: HDF5File,
    progress: (Int, Int) -> Void
  ) throws -> Int {
    let inputs = try JetInputs(
      model: m, json: json, file: source, path: input, tracks: datasets?.first ?? "tracks",
      vertices: datasets?.dropFirst().first ?? "vertices", labels: nil)
    let logits = try target.root.createDataset(
      "logits", elementType: .float32, shape: [0, m.configuration.classes],
      options: HDF5DatasetOptions(chunkRows: 4096, unlimitedRows: true))
    for lo in stride(from: 0, to: inputs.rows, by: batch) {
      let rows = lo..<min(inputs.rows, lo + batch)
      let (x, y) = try inputs.features(rows)
      try logits.append(rows: model.predict([x, y], batchSize: batch).data)
      progress(rows.upperBound, inputs.rows)
    }
    return inputs.rows
  }

  private func patches(
    _ m: BraggNN, _ model: ModelImporter.Model, source: HDF5File, target: HDF5File,
    progress: (Int, Int) -> Void
  ) throws -> Int {
    let p = try source.root.inputDataset(datasets?.first ?? "patch")
    let shape = try p.shape
    let size = m.configuration.patch
    guard shape.dropFirst() == [1, size, size] else {
      throw StageError(
        "input shape \(shape) does not fit the model ([N, 1, \(size), \(size)])",
        exitStatus: .invalidInput)
    }
    let ploc = try target.root.createDataset(
      "ploc", elementType: .float32, shape: [0, 2],
      options: HDF5DatasetOptions(chunkRows: 4096, unlimitedRows: true))
    for lo in stride(from: 0, to: shape[0], by: batch) {
      let rows = lo..<min(shape[0], lo + batch)
      let x = Tensor(
        shape: [rows.count] + shape.dropFirst(), data: try p.read(rows: rows, as: Float.self))
      try ploc.append(rows: model.predict([x], batchSize: batch).data)
      progress(rows.upperBound, shape[0])
    }
    return shape[0]
  }
}
