public import FairflowBase
public import FairflowCore
public import StageSupport

/// The `with:` of an `aggregate` stage:
///
/// ```yaml
/// with:
///   inputs: [metrics/evaluate]              # files, or directories (every *.json inside)
///   metrics: [accuracy, auc]                # optional; default: every number all inputs have
///   output: metrics/aggregate.json
///   table: report/table4.md                 # optional Markdown table
///   title: Accuracy and AUC over 10 seeds   # optional heading of the table
///   digits: 4                               # decimals in the table (default 4)
/// ```
public struct AggregateConfig: StageConfiguration, FieldsConfiguration, Equatable {
  /// Metrics files or directories of them, each once.
  public var inputs: [String]
  /// The metrics summarised; nil: every number all inputs have.
  public var metrics: [String]?
  public var output: String
  public var table: String?
  public var title: String?
  public var digits: Int

  public static let keys = ["inputs", "metrics", "output", "table", "title", "digits"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "aggregate", error: error, Self.init(fields:))
  }

  public init(fields f: ConfigFields) throws(PipelineError) {
    inputs = try Self.inputs(f)
    metrics = try Self.metrics(f)
    output = try f.string("output")
    guard output.hasSuffix(".json") else {
      throw f.problem("'output' must be a .json file (declare it under 'metrics:')")
    }
    table = nil
    if let given = f.value("table") {
      guard let path = given.stringValue, path.hasSuffix(".md") else {
        throw f.problem("'table' must be a Markdown file path ending in .md")
      }
      table = path
    }
    title = nil
    if let given = f.value("title") {
      guard let text = given.stringValue else { throw f.problem("'title' must be a string") }
      title = text
    }
    digits = try f.int("digits", default: 4)
    guard (1...12).contains(digits) else { throw f.problem("'digits' must be between 1 and 12") }
  }

  /// `inputs`: one path or a non-empty list of distinct paths.
  private static func inputs(_ f: ConfigFields) throws(PipelineError) -> [String] {
    let given: [Value]
    switch f.value("inputs") {
    case .string(let s)?: given = [.string(s)]
    case .list(let items)?: given = items
    case nil:
      throw f.problem(
        "'with' of stage '\(f.stage)' needs 'inputs'",
        hint: "list the metrics files, or a directory holding them")
    case let other?:
      throw f.problem("'inputs' must be a list of paths, found \(other.canonicalText)")
    }
    guard !given.isEmpty else { throw f.problem("'inputs' is empty") }
    var paths: [String] = []
    for input in given {
      guard let path = input.stringValue, !path.isEmpty else {
        throw f.problem("each entry of 'inputs' must be a path, found \(input.canonicalText)")
      }
      guard !paths.contains(path) else { throw f.problem("'\(path)' is listed twice in 'inputs'") }
      paths.append(path)
    }
    return paths
  }

  /// `metrics`: absent, or a non-empty list of distinct metric names.
  private static func metrics(_ f: ConfigFields) throws(PipelineError) -> [String]? {
    guard let given = f.value("metrics") else { return nil }
    guard case .list(let items) = given, !items.isEmpty,
      items.allSatisfy({ ($0.stringValue ?? "").isEmpty == false })
    else {
      throw f.problem(
        "'metrics' must be a non-empty list of metric names", hint: "for example [accuracy, auc]")
    }
    guard Set(items).count == items.count else { throw f.problem("'metrics' names a metric twice") }
    return items.compactMap(\.stringValue)
  }

  public var value: Value {
    var fields: [(key: String, value: Value)] = [("inputs", .list(inputs.map(Value.string)))]
    if let metrics { fields.append(("metrics", .list(metrics.map(Value.string)))) }
    fields.append(("output", .string(output)))
    if let table { fields.append(("table", .string(table))) }
    if let title { fields.append(("title", .string(title))) }
    fields.append(("digits", .int(digits)))
    return .map(fields)
  }
}
