public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import Foundation
public import FairflowBase

/// `uses: aggregate`: summarises N metrics files (one per seed of a `matrix:`, say) into one:
/// per metric the mean, the **sample** standard deviation (n − 1 denominator, NumPy's
/// `std(ddof=1)`), the minimum, the maximum, n and every input's value; optionally a Markdown
/// table of mean ± std (the paper's Table 4 form). docs/aggregate.md.
///
/// ```yaml
/// aggregate:
///   uses: aggregate
///   deps: [metrics/evaluate]                  # a directory every evaluate@seed=N writes into
///   metrics: [metrics/aggregate.json]
///   outs: [report/table4.md]
///   with:
///     inputs: [metrics/evaluate]              # files, or directories (every *.json inside)
///     metrics: [accuracy, auc]                # optional; default: every number all inputs have
///     output: metrics/aggregate.json
///     table: report/table4.md                 # optional Markdown table
///     title: Accuracy and AUC over 10 seeds   # optional heading of the table
///     digits: 4                               # decimals in the table (default 4)
/// ```
///
/// The output keeps each metric's mean under its own name and its standard deviation as
/// `<name>_std` at the top level, so `fairflow metrics`, the report and `publish` (which reads
/// `<name>_std` as the uncertainty) see them; the full summaries are in the `summary` list.
public struct AggregateStage: BuiltinStage {
  public let name = "aggregate"
  public let version = 1

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let inputs: [Value]
    switch reader.value("inputs") {
    case .string(let s)?: inputs = [.string(s)]
    case .list(let items)?: inputs = items
    case nil:
      throw reader.error(
        "'with' of stage '\(reader.stage)' needs 'inputs'",
        hint: "list the metrics files, or a directory holding them")
    case let other?:
      throw reader.error("'inputs' must be a list of paths, found \(other.canonicalText)")
    }
    guard !inputs.isEmpty else { throw reader.error("'inputs' is empty") }
    var paths: [String] = []
    for input in inputs {
      guard let path = input.stringValue, !path.isEmpty else {
        throw reader.error("each entry of 'inputs' must be a path, found \(input.canonicalText)")
      }
      guard !paths.contains(path) else {
        throw reader.error("'\(path)' is listed twice in 'inputs'")
      }
      paths.append(path)
    }
    var fields: [(key: String, value: Value)] = [("inputs", .list(paths.map(Value.string)))]
    if let metrics = reader.value("metrics") {
      guard case .list(let items) = metrics, !items.isEmpty,
        items.allSatisfy({ ($0.stringValue ?? "").isEmpty == false })
      else {
        throw reader.error(
          "'metrics' must be a non-empty list of metric names", hint: "for example [accuracy, auc]")
      }
      guard Set(items).count == items.count else {
        throw reader.error("'metrics' names a metric twice")
      }
      fields.append(("metrics", metrics))
    }
    let output = try reader.string("output")
    guard output.hasSuffix(".json") else {
      throw reader.error("'output' must be a .json file (declare it under 'metrics:')")
    }
    fields.append(("output", .string(output)))
    if let table = reader.value("table") {
      guard let path = table.stringValue, path.hasSuffix(".md") else {
        throw reader.error("'table' must be a Markdown file path ending in .md")
      }
      fields.append(("table", table))
    }
    if let title = reader.value("title") {
      guard title.stringValue != nil else { throw reader.error("'title' must be a string") }
      fields.append(("title", title))
    }
    let digits = try reader.int("digits", default: 4)
    guard (1...12).contains(digits) else { throw reader.error("'digits' must be between 1 and 12") }
    fields.append(("digits", .int(digits)))
    try reader.finish()
    return .map(fields)
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let files = try Self.resolve(
      config["inputs"]?.listValue?.compactMap(\.stringValue) ?? [], root: root)
    var documents: [[(key: String, value: Double)]] = []
    for file in files {
      let text: String
      do { text = try FileIO.readText(root + "/" + file) } catch {
        throw StageError("aggregate: cannot read '\(file)': \(error)")
      }
      guard let numbers = Self.numbers(try ValueParser.parse(text, file: file)) else {
        throw StageError("aggregate: '\(file)' is not a JSON object of metrics")
      }
      documents.append(numbers)
    }
    let names: [String]
    if let requested = config["metrics"]?.listValue?.compactMap(\.stringValue) {
      for name in requested {
        for (file, numbers) in zip(files, documents)
        where !numbers.contains(where: { $0.key == name }) {
          throw StageError("aggregate: '\(file)' has no number named '\(name)'")
        }
      }
      names = requested
    } else {
      names = documents[0].map(\.key).filter { name in
        documents.allSatisfy { numbers in numbers.contains { $0.key == name } }
      }
      guard !names.isEmpty else {
        throw StageError("aggregate: the inputs have no metric in common")
      }
    }
    let summaries = names.map { name in
      AggregateSummary(
        metric: name, values: documents.map { numbers in numbers.first { $0.key == name }!.value })
    }
    let output = AggregateSummary.document(summaries, inputs: files)
    try FileIO.writeAtomically(
      Array(output.prettyJSON.utf8), to: root + "/" + (config["output"]?.stringValue ?? ""))
    if let table = config["table"]?.stringValue {
      let markdown = AggregateSummary.markdown(
        summaries, inputs: files, title: config["title"]?.stringValue,
        digits: config["digits"]?.intValue ?? 4)
      try FileIO.writeAtomically(Array(markdown.utf8), to: root + "/" + table)
    }
    print(
      "aggregate: \(files.count) inputs; "
        + summaries.map { "\($0.metric) \($0.formatted(digits: 4))" }.joined(separator: ", "))
  }

  /// Input paths with directories expanded to their `.json` files (natural order: seed-2 before
  /// seed-10), each file once.
  static func resolve(_ inputs: [String], root: String) throws -> [String] {
    var files: [String] = []
    for input in inputs {
      guard let stat = try FileIO.stat(root + "/" + input) else {
        throw StageError("aggregate: input '\(input)' does not exist")
      }
      var found: [String] = []
      if stat.kind == .directory {
        found = try FileIO.list(root + "/" + input).filter { $0.hasSuffix(".json") }
          .sorted(by: naturalOrder).map { input + "/" + $0 }
        guard !found.isEmpty else {
          throw StageError("aggregate: directory '\(input)' holds no .json file")
        }
      } else {
        found = [input]
      }
      for file in found where !files.contains(file) { files.append(file) }
    }
    return files
  }

  /// The top-level numbers of a metrics object, in file order (booleans are not numbers).
  static func numbers(_ value: Value) -> [(key: String, value: Double)]? {
    guard case .map(let pairs) = value else { return nil }
    return pairs.compactMap { pair in
      switch pair.value {
      case .int(let i): return (pair.key, Double(i))
      case .double(let d): return (pair.key, d)
      default: return nil
      }
    }
  }

  /// `a < b` comparing runs of digits as numbers: "seed-2.json" < "seed-10.json".
  static func naturalOrder(_ a: String, _ b: String) -> Bool {
    func chunks(_ s: String) -> [(digits: Bool, text: Substring)] {
      var out: [(Bool, Substring)] = []
      var start = s.startIndex
      while start < s.endIndex {
        let isDigit = s[start].isASCII && s[start].isNumber
        let end =
          s[start...].firstIndex { ($0.isASCII && $0.isNumber) != isDigit } ?? s.endIndex
        out.append((isDigit, s[start..<end]))
        start = end
      }
      return out
    }
    let (ca, cb) = (chunks(a), chunks(b))
    for (x, y) in zip(ca, cb) where x.text != y.text {
      if x.digits, y.digits {
        let (p, q) = (x.text.drop { $0 == "0" }, y.text.drop { $0 == "0" })
        if p.count != q.count { return p.count < q.count }
        if p != q { return p < q }
        continue
      }
      return x.text < y.text
    }
    return ca.count != cb.count ? ca.count < cb.count : a < b
  }
}

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
        let values = entry["values"]?.listValue?.compactMap(\.number), !values.isEmpty
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

extension Value {
  fileprivate var number: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }
}
