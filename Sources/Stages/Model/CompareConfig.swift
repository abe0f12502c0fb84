public import FairflowBase
public import FairflowCore
public import StageSupport

/// The `with:` of a `compare` stage:
///
/// ```yaml
/// with:
///   baseline: models/in
///   models: [models/in-ablated-32, models/in-ablated-16]   # the baseline is the first row
///   data: features/test.h5
///   rows: 0                         # jets used (0 = all)
///   output: report/compare.json     # models, values and the table
///   table: report/table10.md        # optional Markdown
///   title: Baseline and ablated models
/// ```
public struct CompareConfig: StageConfiguration, FieldsConfiguration, Equatable {
  public var baseline: String
  /// The models compared with the baseline, in table order.
  public var models: [String]
  public var data: String
  /// Jets used; 0 or less (or more than the split has) means every jet.
  public var rows: Int
  public var output: String
  /// The Markdown table written besides `output`.
  public var table: String?
  public var title: String

  public static let keys = ["baseline", "models", "data", "rows", "output", "table", "title"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "compare", error: error, Self.init(fields:))
  }

  public init(fields f: ConfigFields) throws(PipelineError) {
    baseline = try f.string("baseline")
    let paths = f.value("models")?.listValue?.map { $0.stringValue ?? "" } ?? []
    guard !paths.isEmpty, !paths.contains("") else {
      throw f.problem("'models' must be a non-empty list of model directories")
    }
    models = paths
    data = try f.string("data")
    rows = try f.int("rows", default: 0)
    output = try f.string("output")
    (table, title) = try ResultTable.options(f, title: "Baseline and ablated models")
  }

  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("baseline", .string(baseline)), ("models", .list(models.map(Value.string))),
      ("data", .string(data)), ("rows", .int(rows)), ("output", .string(output)),
    ]
    if let table { fields.append(("table", .string(table))) }
    fields.append(("title", .string(title)))
    return .map(fields)
  }
}
