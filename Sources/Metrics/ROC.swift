/// ROC curve and AUC with scikit-learn's exact semantics (`roc_curve` with
/// `drop_intermediate=True`, `roc_auc_score` = trapezoidal area): scores sorted descending, one
/// point per distinct score (ties count together, so tied scores give a diagonal segment),
/// collinear points dropped, `(0, 0)` with threshold +∞ prepended.
///
/// Sorting is an LSD radix sort on the scores' order-preserving bit patterns (4 passes of 16
/// bits), carrying the labels: linear time, which is what makes 10⁷ scores fast.
public struct ROC: Sendable, Equatable {
  public var falsePositiveRate: [Double]
  public var truePositiveRate: [Double]
  public var thresholds: [Double]

  /// `labels`: 1 for the positive class, anything else negative. Scores must not be NaN.
  public init(scores: [Double], labels: [Int]) throws(MetricsError) {
    precondition(scores.count == labels.count)
    guard !scores.contains(where: \.isNaN) else { throw MetricsError("scores contain NaN") }
    let (sorted, positive) = Self.sortDescending(scores, labels)
    // Cumulative true/false positives at the last index of each distinct score.
    var tps: [Double] = []
    var fps: [Double] = []
    var thresholds: [Double] = []
    var tp = 0.0
    var fp = 0.0
    for i in 0..<sorted.count {
      if positive[i] { tp += 1 } else { fp += 1 }
      if i == sorted.count - 1 || sorted[i + 1] != sorted[i] {
        tps.append(tp)
        fps.append(fp)
        thresholds.append(sorted[i])
      }
    }
    guard let lastTP = tps.last, let lastFP = fps.last, lastTP > 0, lastFP > 0 else {
      throw MetricsError("ROC needs both classes among the labels")
    }
    // drop_intermediate: keep the ends and points where the curve changes direction.
    var keep = [Int]()
    keep.reserveCapacity(tps.count)
    for i in 0..<tps.count {
      if i == 0 || i == tps.count - 1 {
        keep.append(i)
        continue
      }
      let d2fp = fps[i + 1] - 2 * fps[i] + fps[i - 1]
      let d2tp = tps[i + 1] - 2 * tps[i] + tps[i - 1]
      if d2fp != 0 || d2tp != 0 { keep.append(i) }
    }
    falsePositiveRate = [0] + keep.map { fps[$0] / lastFP }
    truePositiveRate = [0] + keep.map { tps[$0] / lastTP }
    self.thresholds = [.infinity] + keep.map { thresholds[$0] }
  }

  /// Trapezoidal area under the curve.
  public var auc: Double {
    var area = 0.0
    for i in 1..<falsePositiveRate.count {
      area +=
        (falsePositiveRate[i] - falsePositiveRate[i - 1])
        * (truePositiveRate[i] + truePositiveRate[i - 1]) / 2
    }
    return area
  }

  /// Scores in descending order with their labels (positive = label 1).
  static func sortDescending(_ scores: [Double], _ labels: [Int]) -> ([Double], [Bool]) {
    let n = scores.count
    // Order-preserving key for descending order: flip so larger doubles give smaller keys.
    var keys = [UInt64](unsafeUninitializedCapacity: n) { b, c in
      for i in 0..<n {
        let bits = (scores[i] == 0 ? 0.0 : scores[i]).bitPattern  // -0 and +0 tie, as in numpy
        let ascending = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        b[i] = ~ascending
      }
      c = n
    }
    var flags = labels.map { $0 == 1 }
    var keys2 = [UInt64](repeating: 0, count: n)
    var flags2 = [Bool](repeating: false, count: n)
    var counts = [Int](repeating: 0, count: 1 << 16)
    for pass in 0..<4 {
      let shift = UInt64(16 * pass)
      for i in counts.indices { counts[i] = 0 }
      keys.withUnsafeBufferPointer { k in
        counts.withUnsafeMutableBufferPointer { c in
          for i in 0..<n { c[Int((k[i] >> shift) & 0xFFFF)] += 1 }
          var sum = 0
          for i in 0..<c.count {
            let v = c[i]
            c[i] = sum
            sum += v
          }
          keys2.withUnsafeMutableBufferPointer { k2 in
            flags.withUnsafeBufferPointer { f in
              flags2.withUnsafeMutableBufferPointer { f2 in
                for i in 0..<n {
                  let b = Int((k[i] >> shift) & 0xFFFF)
                  let d = c[b]
                  c[b] = d + 1
                  k2[d] = k[i]
                  f2[d] = f[i]
                }
              }
            }
          }
        }
      }
      swap(&keys, &keys2)
      swap(&flags, &flags2)
    }
    let sorted = keys.map { key -> Double in
      let ascending = ~key
      let bits = ascending & (1 << 63) != 0 ? ascending & ~(1 << 63) : ~ascending
      return Double(bitPattern: bits)
    }
    return (sorted, flags)
  }
}

/// A metric that cannot be computed from the given data.
public struct MetricsError: Error, Equatable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
