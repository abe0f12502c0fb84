public import FairflowBase
public import FairflowCore
public import StageSupport

/// The `with:` of an `evaluate` stage:
///
/// ```yaml
/// with:
///   model: models/in
///   data: features/test.h5
///   output: metrics/evaluate.json
///   plots: report/evaluate                        # optional: ROC curve or error histogram
///   gates: {auc: {min: 0.9, max_drop: 0.005}}    # checked by `fairflow check`
///   baseline: metrics/baseline.json               # optional; or `fairflow check --rev REV`
/// ```
public struct EvaluateConfig: StageConfiguration, FieldsConfiguration, Equatable {
  /// The model directory (from `train` or `import`).
  public var model: String
  /// The test split (HDF5).
  public var data: String
  /// The metrics JSON written.
  public var output: String
  /// Regression gates on the metrics; nil when none are given (an empty mapping is kept).
  public var gates: [Gate]?
  /// A directory for the plots.
  public var plots: String?
  /// A metrics file the gates' `max_drop` / `max_rise` compare against.
  public var baseline: String?

  public static let keys = ["model", "data", "output", "gates", "plots", "baseline"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "evaluate", error: error, Self.init(fields:))
  }

  public init(fields f: ConfigFields) throws(PipelineError) {
    model = try f.string("model")
    data = try f.string("data")
    output = try f.string("output")
    gates = try f.value("gates").map { (v) throws(PipelineError) in
      try Gate.parse(v) { f.problem($0) }
    }
    plots = nil
    if let given = f.value("plots") {
      guard case .string(let s) = given else {
        throw f.problem("'plots' must be a directory (declared in outs)")
      }
      plots = s
    }
    baseline = nil
    if let given = f.value("baseline") {
      guard case .string(let s) = given else {
        throw f.problem("'baseline' must be a metrics file path")
      }
      baseline = s
    }
  }

  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("model", .string(model)), ("data", .string(data)), ("output", .string(output)),
    ]
    if let gates { fields.append(("gates", .map(gates.map { ($0.metric, $0.value) }))) }
    if let plots { fields.append(("plots", .string(plots))) }
    if let baseline { fields.append(("baseline", .string(baseline))) }
    return .map(fields)
  }
}
