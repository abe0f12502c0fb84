internal import NeuralKit

extension InteractionNetwork {
  /// P(class 1) per jet (the last class when there is one), 512 jets at a time: the score the
  /// model kinds rank jets by (AUC, fidelity).
  func classOneScores(_ jets: JetSet) -> [Double] {
    Training.predict(self, jets, batchSize: 512).map { Double($0[min(1, $0.count - 1)]) }
  }
}
