public import FairflowBase
public import FairflowCore
public import StageSupport

/// The `with:` of an `interpret` stage:
///
/// ```yaml
/// with:
///   model: models/in
///   data: features/test.h5
///   output: report/interpret               # interpret.json and SVG charts
///   methods: [masking, rna, lrp]           # default: all three, in this order
///   thresholds: [0.001, 0.005, 0.01, 0.05, 1]   # masking: ΔAUC (percent) thresholds
///   rows: 0                                # jets used (0 = all)
///   lrp_rows: 200                          # jets LRP explains (of those)
///   gamma: 2                               # LRP-γ
/// ```
public struct InterpretConfig: StageConfiguration, FieldsConfiguration, Equatable {
  /// An interpretation method, by its name in `methods`.
  public enum Method: String, Sendable {
    case masking, rna, lrp
  }

  public var model: String
  public var data: String
  public var output: String
  /// As given (a method may be listed twice; it runs once).
  public var methods: [Method]
  /// ΔAUC thresholds in percent.
  public var thresholds: [Double]
  /// Jets used; 0 or less means every jet.
  public var rows: Int
  public var lrpRows: Int
  public var gamma: Double

  public static let keys = [
    "model", "data", "output", "methods", "thresholds", "rows", "lrp_rows", "gamma",
  ]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "interpret", error: error, Self.init(fields:))
  }

  public init(fields f: ConfigFields) throws(PipelineError) {
    model = try f.string("model")
    data = try f.string("data")
    output = try f.string("output")
    methods = [.masking, .rna, .lrp]
    if let m = f.value("methods") {
      let names = m.listValue?.map { $0.stringValue ?? "" } ?? []
      let parsed = names.compactMap(Method.init(rawValue:))
      guard !parsed.isEmpty, parsed.count == names.count else {
        throw f.problem("'methods' must be a list of masking, rna, lrp")
      }
      methods = parsed
    }
    thresholds = [0.001, 0.005, 0.01, 0.05, 1]
    if let t = f.value("thresholds") {
      guard let list = t.listValue, list.allSatisfy({ $0.doubleValue != nil }) else {
        throw f.problem("'thresholds' must be a list of numbers (ΔAUC in percent)")
      }
      thresholds = list.map { $0.doubleValue! }
    }
    rows = try f.int("rows", default: 0)
    lrpRows = try f.int("lrp_rows", default: 200)
    gamma = 2
    if let g = f.value("gamma") {
      guard let d = g.doubleValue, d >= 0 else { throw f.problem("'gamma' must be a number ≥ 0") }
      gamma = d
    }
  }

  public var value: Value {
    .map([
      ("model", .string(model)), ("data", .string(data)), ("output", .string(output)),
      ("methods", .list(methods.map { .string($0.rawValue) })),
      ("thresholds", .list(thresholds.map(Value.double))), ("rows", .int(rows)),
      ("lrp_rows", .int(lrpRows)), ("gamma", .double(gamma)),
    ])
  }
}
