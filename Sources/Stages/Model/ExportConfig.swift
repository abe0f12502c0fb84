public import FairflowBase
public import FairflowCore
public import StageSupport

/// The `with:` of an `export` stage:
///
/// ```yaml
/// with: {model: models/in, format: onnx, output: models/in.onnx, softmax: false}
/// ```
public struct ExportConfig: StageConfiguration, FieldsConfiguration, Equatable {
  /// The model directory (`model.json` + `model.safetensors`).
  public var model: String
  /// Always `onnx`.
  public var format: String
  public var output: String
  /// Interaction network: end the graph with a softmax (output `probabilities`, else `logits`).
  public var softmax: Bool

  public static let keys = ["model", "format", "output", "softmax"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "export", error: error, Self.init(fields:))
  }

  public init(fields f: ConfigFields) throws(PipelineError) {
    model = try f.string("model")
    format = try f.string("format", default: "onnx")
    guard format == "onnx" else { throw f.problem("'format' must be onnx") }
    output = try f.string("output")
    softmax = false
    if let s = f.value("softmax") {
      guard case .bool(let b) = s else { throw f.problem("'softmax' must be true or false") }
      softmax = b
    }
  }

  public var value: Value {
    .map([
      ("model", .string(model)), ("format", .string(format)), ("output", .string(output)),
      ("softmax", .bool(softmax)),
    ])
  }
}
