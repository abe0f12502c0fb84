public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore
internal import Foundation

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
public struct AggregateStage: TypedStage {
  public typealias Configuration = AggregateConfig
  public let name = "aggregate"
  public let version = 1

  public init() {}

  public func run(_ config: AggregateConfig, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    let files = try Self.resolve(config.inputs, root: root)
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
    let names = try Self.metrics(config.metrics, files: files, documents: documents)
    let summaries = names.map { name in
      AggregateSummary(
        metric: name, values: documents.map { numbers in numbers.first { $0.key == name }!.value })
    }
    let output = AggregateSummary.document(summaries, inputs: files)
    try FileIO.writeAtomically(Array(output.prettyJSON.utf8), to: root + "/" + config.output)
    if let table = config.table {
      let markdown = AggregateSummary.markdown(
        summaries, inputs: files, title: config.title, digits: config.digits)
      try FileIO.writeAtomically(Array(markdown.utf8), to: root + "/" + table)
    }
    print(
      "aggregate: \(files.count) inputs; "
        + summaries.map { "\($0.metric) \($0.formatted(digits: 4))" }.joined(separator: ", "))
  }

  /// The metrics summarised: those `requested` (every input must have them), else every number
  /// all inputs have, in the first input's order.
  static func metrics(
    _ requested: [String]?, files: [String], documents: [[(key: String, value: Double)]]
  ) throws -> [String] {
    if let requested {
      for name in requested {
        for (file, numbers) in zip(files, documents)
        where !numbers.contains(where: { $0.key == name }) {
          throw StageError("aggregate: '\(file)' has no number named '\(name)'")
        }
      }
      return requested
    }
    let names = documents[0].map(\.key).filter { name in
      documents.allSatisfy { numbers in numbers.contains { $0.key == name } }
    }
    guard !names.isEmpty else { throw StageError("aggregate: the inputs have no metric in common") }
    return names
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
    return pairs.compactMap { pair in pair.value.doubleValue.map { (pair.key, $0) } }
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
