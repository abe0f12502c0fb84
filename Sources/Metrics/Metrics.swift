/// Classification and regression metrics (pure functions, no I/O).
public enum Metrics {
  /// Fraction of rows whose highest score is the label.
  public static func accuracy(probabilities: [[Float]], labels: [Int]) -> Double {
    guard !labels.isEmpty else { return .nan }
    var correct = 0
    for (p, l) in zip(probabilities, labels) where p.firstIndex(of: p.max()!) == l { correct += 1 }
    return Double(correct) / Double(labels.count)
  }

  /// Per-class recall (the accuracy on rows of that class).
  public static func classAccuracy(probabilities: [[Float]], labels: [Int], classes: Int)
    -> [Double]
  {
    (0..<classes).map { c in
      let rows = zip(probabilities, labels).filter { $0.1 == c }
      guard !rows.isEmpty else { return .nan }
      return Double(rows.filter { $0.0.firstIndex(of: $0.0.max()!) == c }.count)
        / Double(rows.count)
    }
  }

  /// Fidelity of two models' outputs: 1 − mean |ŷ₁ − ŷ₂| (the FAIR HEP paper's F(M1, M2)).
  public static func fidelity(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    guard !a.isEmpty else { return .nan }
    var sum = 0.0
    for i in 0..<a.count { sum += abs(a[i] - b[i]) }
    return 1 - sum / Double(a.count)
  }

  /// Percentile with NumPy's default linear interpolation (`np.percentile`, method "linear").
  public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q / 100 * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
  }

  /// BraggNN's error statistics: Euclidean distances in pixels (`patch ×` normalised distance),
  /// mean, population standard deviation, median, 75th, 95th and 99.5th percentiles.
  public static func distances(predicted: [Float], truth: [Float], patch: Int) -> [(String, Double)]
  {
    precondition(predicted.count == truth.count && predicted.count % 2 == 0)
    var d: [Double] = []
    for i in stride(from: 0, to: predicted.count, by: 2) {
      let dx = Double(predicted[i] - truth[i])
      let dy = Double(predicted[i + 1] - truth[i + 1])
      d.append(Double(patch) * (dx * dx + dy * dy).squareRoot())
    }
    let mean = d.reduce(0, +) / Double(max(d.count, 1))
    let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(d.count, 1))
    let sorted = d.sorted()
    return [
      ("distance_mean", mean), ("distance_std", variance.squareRoot()),
      ("distance_median", percentile(sorted, 50)), ("distance_p75", percentile(sorted, 75)),
      ("distance_p95", percentile(sorted, 95)), ("distance_p99_5", percentile(sorted, 99.5)),
    ]
  }
}
