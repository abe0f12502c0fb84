public import NeuralKit

/// The one inference path of a loaded model, shared by `fairflow predict` and `fairflow serve`,
/// so that a row served over the network has the same bits as the same row predicted from a file.
///
/// Inputs and outputs are float32 tensors whose first axis is the batch; `rowShape` is the shape
/// of one row. Each row's result depends only on that row: the kernels accumulate in a fixed
/// order per output element (docs/decisions/013-deterministic-kernels.md), so neither the batch a
/// row travels in nor its position there changes a bit (tested in ServeTests).
extension ModelImporter.Model {
  /// A named float32 tensor of `rowShape` per row.
  public struct TensorSignature: Sendable, Equatable {
    public let name: String
    public let rowShape: [Int]
    /// Elements in one row.
    public var rowCount: Int { rowShape.reduce(1, *) }
  }

  /// The model's inputs, in the order `predict` takes them: interaction network `tracks`
  /// [P, N_tracks] and `vertices` [S, N_vertices]; BraggNN `patch` [1, P, P].
  public var inputSignature: [TensorSignature] {
    switch self {
    case .interactionNetwork(let m):
      let c = m.configuration
      return [
        TensorSignature(name: "tracks", rowShape: [c.trackFeatures, c.tracks]),
        TensorSignature(name: "vertices", rowShape: [c.vertexFeatures, c.vertices]),
      ]
    case .braggNN(let m):
      let p = m.configuration.patch
      return [TensorSignature(name: "patch", rowShape: [1, p, p])]
    }
  }

  /// The model's one output: interaction network `logits` [classes]; BraggNN `ploc` [2].
  public var outputSignature: TensorSignature {
    switch self {
    case .interactionNetwork(let m):
      return TensorSignature(name: "logits", rowShape: [m.configuration.classes])
    case .braggNN: return TensorSignature(name: "ploc", rowShape: [2])
    }
  }

  /// The architecture's name, as `import-model --arch` spells it.
  public var architecture: ModelImporter.Architecture {
    switch self {
    case .interactionNetwork: return .interactionNetwork
    case .braggNN: return .braggNN
    }
  }

  /// Runs `inputs` (in `inputSignature` order, each `[N] + rowShape`) and returns the output
  /// `[N] + outputSignature.rowShape`. `batchSize` is the rows the caller passes at a time
  /// (BraggNN splits its work by it; no row's bits depend on it).
  public func predict(_ inputs: [Tensor], batchSize: Int) -> Tensor {
    switch self {
    case .interactionNetwork(let m):
      return m.infer(tracks: inputs[0], vertices: inputs[1])
    case .braggNN(let m):
      let rows = inputs[0].shape[0]
      return Tensor(
        shape: [rows, 2], data: Training.predict(m, patches: inputs[0], batchSize: batchSize))
    }
  }
}
