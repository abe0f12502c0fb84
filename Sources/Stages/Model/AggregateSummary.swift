public import FairflowBase
internal import Foundation

/// One metric over N inputs: mean, sample standard deviation (n − 1; nil for n = 1), min, max.
public struct AggregateSummary: Sendable, Equatable {
  public var metric: String
  public var values: [Double]
  public var mean: Double
  /// √(Σ(x − mean)² / (n − 1)), NumPy's `std(ddof=1)`; nil when n = 1.
  public var std: Double?
  public var min: Double
  public var max: Double
  public var n: Int { values.count }

  /// Two-pass: the mean, corrected by the mean residual, then the squared deviations from it.
  public init(metric: String, values: [Double]) {
    precondition(!values.isEmpty, "a summary needs at least one value")
    self.metric = metric
    self.values = values
    let count = Double(values.count)
    var mean = values.reduce(0, +) / count
    mean += values.reduce(0) { $0 + ($1 - mean) } / count
    self.mean = mean
    self.std =
      values.count > 1
      ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)).squareRoot() : nil
    self.min = values.min()!
    self.max = values.max()!
  }

  /// "0.9812 ± 0.0011" (or the mean alone when n = 1).
  public func formatted(digits: Int) -> String {
    let f = "%.\(digits)f"
    return String(format: f, mean) + (std.map { " ± " + String(format: f, $0) } ?? "")
  }

  static let stdDefinition = "sample standard deviation: sqrt(sum((x - mean)^2) / (n - 1))"

  /// The output JSON: inputs, the std definition, `<metric>` = mean and `<metric>_std` at the
  /// top level, and `summary`: per metric n, mean, std, min, max and the values in input order.
  static func document(_ summaries: [AggregateSummary], inputs: [String]) -> Value {
    var fields: [(key: String, value: Value)] = [
      ("inputs", .list(inputs.map(Value.string))), ("std", .string(stdDefinition)),
    ]
    for s in summaries {
      fields.append((s.metric, .double(s.mean)))
      if let std = s.std { fields.append((s.metric + "_std", .double(std))) }
    }
    fields.append(
      (
        "summary",
        .list(
          summaries.map { s in
            .map([
              ("metric", .string(s.metric)), ("n", .int(s.n)), ("mean", .double(s.mean)),
              ("std", s.std.map(Value.double) ?? .null), ("min", .double(s.min)),
              ("max", .double(s.max)), ("values", .list(s.values.map(Value.double))),
            ])
          })
      ))
    return .map(fields)
  }

  /// The summaries of an aggregate output file (its `summary` list), for reports.
  public static func parse(_ document: Value) -> [AggregateSummary] {
    (document["summary"]?.listValue ?? []).compactMap { entry in
      guard let metric = entry["metric"]?.stringValue,
        let values = entry["values"]?.listValue?.compactMap(\.doubleValue), !values.isEmpty
      else { return nil }
      return AggregateSummary(metric: metric, values: values)
    }
  }

  /// Mean ± std per metric, then every input's values.
  static func markdown(
    _ summaries: [AggregateSummary], inputs: [String], title: String?, digits: Int
  ) -> String {
    let f = "%.\(digits)f"
    var lines: [String] = []
    if let title { lines += ["# \(title)", ""] }
    lines += [
      "| metric | mean ± std | min | max | n |", "| --- | --- | --- | --- | --- |",
    ]
    for s in summaries {
      lines.append(
        "| \(s.metric) | \(s.formatted(digits: digits)) | \(String(format: f, s.min)) | "
          + "\(String(format: f, s.max)) | \(s.n) |")
    }
    lines += [
      "", "std: sample standard deviation over the \(inputs.count) inputs (n − 1 denominator).",
      "", "| input | " + summaries.map(\.metric).joined(separator: " | ") + " |",
      "| --- |" + String(repeating: " --- |", count: summaries.count),
    ]
    for (i, input) in inputs.enumerated() {
      lines.append(
        "| \(input) | "
          + summaries.map { String(format: f, $0.values[i]) }.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
