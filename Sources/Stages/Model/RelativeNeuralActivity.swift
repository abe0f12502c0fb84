internal import NeuralKit

/// Relative neural activity (the study's eq. 7) of the interaction network's nine hidden layers,
/// per class: each node's activation summed over the jets of the class, divided by the largest such
/// sum in its layer. Sparsity is the fraction of nodes with RNA < 0.2 (hbb-in.md §8.8).
struct RelativeNeuralActivity {
  static let layerNames = ["fr1", "fr2", "fr3", "fr1_pv", "fr2_pv", "fr3_pv", "fo1", "fo2", "fo3"]
  static let sparseBelow = 0.2

  /// class → layer → node.
  let rna: [[[Double]]]

  init(model: InteractionNetwork, tracks: Tensor, vertices: Tensor, labels: [Int]) {
    rna = model.activity(tracks: tracks, vertices: vertices, labels: labels).map { layers in
      layers.map { a in
        let m = a.max() ?? 0
        return a.map { m > 0 ? $0 / m : 0 }
      }
    }
  }

  /// Per class: nodes with RNA < 0.2 over all nodes.
  var sparsity: [Double] {
    rna.map { layers in
      let all = layers.joined()
      return Double(all.filter { $0 < Self.sparseBelow }.count) / Double(max(all.count, 1))
    }
  }
}
