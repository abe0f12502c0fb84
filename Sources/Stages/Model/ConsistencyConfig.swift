public import FairflowBase
public import FairflowCore
public import StageSupport

/// The `with:` of a `consistency` stage:
///
/// ```yaml
/// with:
///   model: models/in                   # train's model directory (names the input features)
///   onnx: models/in.onnx               # its export (output `logits` gets a softmax)
///   data: features/test.h5
///   runs: [{rows: 1000, batch: 1}, {rows: 0, batch: 128}]   # rows 0 = all (the default runs)
///   output: report/consistency.json
///   table: report/table8.md            # optional Markdown
///   title: Native vs ONNX
/// ```
public struct ConsistencyConfig: StageConfiguration, FieldsConfiguration, Equatable {
  /// One comparison: the first `rows` jets (0: all) in batches of `batch`.
  public struct Run: Sendable, Equatable {
    public var rows: Int
    public var batch: Int
  }

  public var model: String
  public var onnx: String
  public var data: String
  public var runs: [Run]
  public var output: String
  /// The Markdown table written besides `output`.
  public var table: String?
  public var title: String

  public static let keys = ["model", "onnx", "data", "output", "runs", "table", "title"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "consistency", error: error, Self.init(fields:))
  }

  public init(fields f: ConfigFields) throws(PipelineError) {
    model = try f.string("model")
    onnx = try f.string("onnx")
    data = try f.string("data")
    output = try f.string("output")
    runs = [Run(rows: 1000, batch: 1), Run(rows: 0, batch: 128)]
    if let given = f.value("runs") {
      let parsed = given.listValue?.compactMap(Self.run) ?? []
      guard !parsed.isEmpty, parsed.count == given.listValue?.count else {
        throw f.problem(
          "'runs' must be a list of {rows: N ≥ 0, batch: B ≥ 1}", hint: "rows 0 means every jet")
      }
      runs = parsed
    }
    (table, title) = try ResultTable.options(f, title: "Native vs ONNX")
  }

  /// `{rows: N ≥ 0, batch: B ≥ 1}` (rows default 0), or nil.
  static func run(_ given: Value) -> Run? {
    guard case .map(let fields) = given, fields.allSatisfy({ ["rows", "batch"].contains($0.key) })
    else { return nil }
    let rows = given["rows"]?.intValue ?? 0
    guard rows >= 0, let batch = given["batch"]?.intValue, batch >= 1 else { return nil }
    return Run(rows: rows, batch: batch)
  }

  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("model", .string(model)), ("onnx", .string(onnx)), ("data", .string(data)),
      ("runs", .list(runs.map { .map([("rows", .int($0.rows)), ("batch", .int($0.batch))]) })),
      ("output", .string(output)),
    ]
    if let table { fields.append(("table", .string(table))) }
    fields.append(("title", .string(title)))
    return .map(fields)
  }
}
