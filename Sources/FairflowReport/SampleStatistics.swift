internal import FairflowBase

/// The mean and sample standard deviation (n − 1 denominator) of a metric over a matrix's cells,
/// as the report's "mean ± std" row shows them. Two passes (the mean, then squared deviations
/// from it), as `aggregate` computes them, so the two agree.
package struct SampleStatistics: Sendable, Equatable {
  package var count: Int
  package var mean: Double
  /// Nil for a single value (no spread to estimate).
  package var standardDeviation: Double?
  /// Every value is an integer count (parameters, epochs, rows): a constant prints "25,554 ± 0".
  package var integers: Bool

  /// Nil for no values.
  package init?(_ values: [Double], integers: Bool = false) {
    guard !values.isEmpty else { return nil }
    count = values.count
    self.integers = integers
    let first = values.reduce(0, +) / Double(values.count)
    // Corrects the mean by its residual (the sum of deviations is 0 only in exact arithmetic).
    mean = first + values.reduce(0) { $0 + ($1 - first) } / Double(values.count)
    let center = mean
    standardDeviation =
      values.count > 1
      ? (values.reduce(0) { $0 + ($1 - center) * ($1 - center) } / Double(values.count - 1))
        .squareRoot()
      : nil
  }

  /// "0.9528 ± 0.0009": the mean to four significant digits and the deviation to the same
  /// decimals; constant integers stay integers ("25,554 ± 0"); scientific when the mean needs
  /// it.
  package var formatted: String {
    guard let deviation = standardDeviation else {
      return integers ? NumberFormat.significant(mean) : NumberFormat.text(.double(mean))
    }
    if integers, mean == mean.rounded(), deviation == 0 {
      return NumberFormat.significant(mean) + " ± 0"
    }
    guard let places = NumberFormat.decimals(mean) else {
      return NumberFormat.significant(mean) + " ± " + NumberFormat.significant(deviation)
    }
    return NumberFormat.fixed(mean, places: places) + " ± "
      + NumberFormat.fixed(deviation, places: places)
  }
}
