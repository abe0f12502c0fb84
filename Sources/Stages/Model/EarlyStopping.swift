internal import NeuralKit

/// Keeps the best epoch's weights (lowest monitored loss) and says when `patience` epochs have
/// passed without improvement. Shared by every trainer.
struct EarlyStopping {
  let patience: Int
  private(set) var best: (loss: Double, epoch: Int, weights: [Tensor])?
  private var sinceBest = 0

  init(patience: Int) { self.patience = patience }

  /// Records an epoch; returns true when training should stop.
  mutating func observe(loss: Double, epoch: Int, parameters: [Parameter]) -> Bool {
    if best == nil || loss < best!.loss {
      best = (loss, epoch, parameters.map(\.value))
      sinceBest = 0
      return false
    }
    sinceBest += 1
    if sinceBest >= patience {
      print("early stop: no improvement for \(patience) epochs; best epoch \(best!.epoch)")
      return true
    }
    return false
  }

  /// Puts the best epoch's weights back into `parameters`.
  func restore(_ parameters: [Parameter]) {
    guard let best else { return }
    for (p, w) in zip(parameters, best.weights) { p.value = w }
  }

  var bestEpoch: Int { best?.epoch ?? 0 }
}
