internal import FairflowBase
internal import ModelImport
internal import NeuralKit

/// A KServe v2 inference request, decoded and checked against the model it is for.
///
/// The body is a JSON header, optionally followed by raw tensor bytes (the binary-tensor
/// extension: the `Inference-Header-Content-Length` header gives the JSON's length, and an input
/// whose `parameters.binary_data_size` is set takes that many little-endian bytes, in input
/// order):
///
///     {"id": "…", "inputs": [{"name": "patch", "datatype": "FP32", "shape": [2, 1, 11, 11],
///       "data": [0.1, …]}], "outputs": [{"name": "ploc", "parameters": {"binary_data": true}}],
///       "parameters": {"binary_data_output": true}}
///
/// `data` may be flat or nested row-major. Every check names the input and says what was wanted:
/// the name, the FP32 datatype, the shape (the model's row shape after a batch axis of 1 up to
/// `maxRequestRows`), the element count, finite values (NaN and infinities are refused, as
/// `fairflow predict` would give meaningless rows for them).
struct InferRequest {
  var id: String?
  /// The model's inputs in its order, each `[rows] + rowShape`.
  var inputs: [Tensor]
  var rows: Int
  /// Answer the output as raw bytes after the JSON (binary-tensor extension).
  var binaryOutput: Bool

  /// Decodes `body`; `headerLength` is the `Inference-Header-Content-Length` header, if any.
  static func decode(
    _ body: [UInt8], headerLength: Int?, model: ServedModel, limits: ServeLimits
  ) throws(ServeError) -> InferRequest {
    let jsonEnd = headerLength ?? body.count
    guard jsonEnd >= 0, jsonEnd <= body.count else {
      throw ServeError(
        "Inference-Header-Content-Length is \(jsonEnd) but the body has \(body.count) bytes")
    }
    guard let text = String(validating: body[0..<jsonEnd], as: UTF8.self) else {
      throw ServeError("the request is not UTF-8 JSON")
    }
    let root: Value
    do { root = try JSONParser.parse(text, file: "request") } catch {
      throw ServeError("malformed JSON: \(error.message)")
    }
    guard case .map = root else { throw ServeError("the request must be a JSON object") }
    guard case .list(let given)? = root["inputs"] else {
      throw ServeError("the request has no \"inputs\" list")
    }
    var binary = BinarySection(bytes: body, offset: jsonEnd)
    var tensors: [String: Tensor] = [:]
    var rows: Int?
    for item in given {
      let (name, tensor) = try decodeInput(item, model: model, limits: limits, binary: &binary)
      guard tensors[name] == nil else { throw ServeError("input '\(name)' is given twice") }
      if let rows, rows != tensor.shape[0] {
        throw ServeError(
          "inputs disagree on the batch size: '\(name)' has \(tensor.shape[0]) rows, not \(rows)")
      }
      rows = tensor.shape[0]
      tensors[name] = tensor
    }
    guard binary.offset == body.count else {
      throw ServeError(
        "the body has \(body.count - binary.offset) bytes after the JSON that no input claims")
    }
    let missing = model.inputs.map(\.name).filter { tensors[$0] == nil }
    guard missing.isEmpty, let rows else {
      throw ServeError(
        "missing input\(missing.count == 1 ? "" : "s") "
          + missing.map { "'\($0)'" }.joined(separator: ", ") + "; model '\(model.name)' takes "
          + Self.describe(model))
    }
    return InferRequest(
      id: try id(root), inputs: model.inputs.map { tensors[$0.name]! }, rows: rows,
      binaryOutput: try binaryOutput(root, model: model))
  }

  /// `tracks [-1, 30, 60] FP32, vertices [-1, 14, 5] FP32`
  static func describe(_ model: ServedModel) -> String {
    model.inputs.map { "\($0.name) \([-1] + $0.rowShape) FP32" }.joined(separator: ", ")
  }

  static func id(_ root: Value) throws(ServeError) -> String? {
    switch root["id"] {
    case nil, .null?: return nil
    case .string(let s)?: return s
    default: throw ServeError("\"id\" must be a string")
    }
  }

  /// Whether the output goes back as raw bytes: the output's own `binary_data`, else the
  /// request's `binary_data_output`. An unknown output name is refused.
  static func binaryOutput(_ root: Value, model: ServedModel) throws(ServeError) -> Bool {
    let all = flag(root["parameters"]?["binary_data_output"]) ?? false
    guard let requested = root["outputs"] else { return all }
    guard case .list(let outputs) = requested else {
      throw ServeError("\"outputs\" must be a list")
    }
    var binary = all
    for output in outputs {
      guard case .string(let name)? = output["name"] else {
        throw ServeError("each of \"outputs\" needs a \"name\"")
      }
      guard name == model.output.name else {
        throw ServeError(
          "unknown output '\(name)'; model '\(model.name)' gives '\(model.output.name)'")
      }
      binary = flag(output["parameters"]?["binary_data"]) ?? binary
    }
    return binary
  }

  static func flag(_ value: Value?) -> Bool? {
    if case .bool(let b)? = value { return b }
    return nil
  }
}

/// The raw bytes after the JSON header, taken input by input.
struct BinarySection {
  let bytes: [UInt8]
  var offset: Int

  /// `count` little-endian float32 values, or nil when the body is too short.
  mutating func floats(_ count: Int) -> [Float]? {
    guard count <= (bytes.count - offset) / 4 else { return nil }
    var out = [Float](repeating: 0, count: count)
    for i in 0..<count {
      let o = offset + 4 * i
      let bits =
        UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16
        | UInt32(bytes[o + 3]) << 24
      out[i] = Float(bitPattern: bits)
    }
    offset += 4 * count
    return out
  }
}
