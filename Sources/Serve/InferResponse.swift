internal import ModelImport
internal import FairflowBase
internal import NeuralKit

/// The JSON bodies the server answers with (KServe v2): inference results, model and server
/// metadata, errors.
///
/// Float32 values are written as the shortest decimal of the same number as a double (`0.1f` is
/// `0.10000000149011612`): a client that reads JSON numbers as doubles (Python, JavaScript) and
/// casts to float32 gets the exact bits back, which the shortest float32 decimal does not promise
/// after a detour through double. With the binary-tensor extension the output's bytes follow the
/// JSON as is, little-endian.
enum InferResponse {
  /// An inference result: the body and, for a binary output, the JSON's length (the
  /// `Inference-Header-Content-Length` header).
  static func encode(
    model: ServedModel, id: String?, output: Tensor, binary: Bool
  ) throws(ServeError) -> (body: [UInt8], headerLength: Int?) {
    var json = "{\"model_name\":" + Value.quote(model.name) + ",\"model_version\":\"1\""
    if let id { json += ",\"id\":" + Value.quote(id) }
    json += ",\"outputs\":[{\"name\":" + Value.quote(model.output.name)
    json +=
      ",\"datatype\":\"FP32\",\"shape\":[" + output.shape.map(String.init).joined(separator: ",")
    json += "]"
    if binary {
      json += ",\"parameters\":{\"binary_data_size\":\(4 * output.count)}}]}"
      var body = Array(json.utf8)
      let length = body.count
      body.reserveCapacity(length + 4 * output.count)
      for value in output.data {
        let bits = value.bitPattern
        body += [
          UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24),
        ]
      }
      return (body, length)
    }
    if let bad = output.data.firstIndex(where: { !$0.isFinite }) {
      throw ServeError(
        "model '\(model.name)' gave \(output.data[bad]) at element \(bad), which JSON cannot carry; ask for binary_data",
        httpStatus: 500)
    }
    json += ",\"data\":["
    json += output.data.map { Double($0).description }.joined(separator: ",")
    json += "]}]}"
    return (Array(json.utf8), nil)
  }

  /// `GET /v2/models/NAME`.
  static func metadata(_ model: ServedModel) -> String {
    func tensor(_ name: String, _ rowShape: [Int]) -> String {
      "{\"name\":" + Value.quote(name) + ",\"datatype\":\"FP32\",\"shape\":["
        + ([-1] + rowShape).map(String.init).joined(separator: ",") + "]}"
    }
    let inputs = model.inputs.map { tensor($0.name, $0.rowShape) }.joined(separator: ",")
    return "{\"name\":" + Value.quote(model.name) + ",\"versions\":[\"1\"],\"platform\":\"fairflow_"
      + model.model.architecture.rawValue + "\",\"inputs\":[" + inputs + "],\"outputs\":["
      + tensor(model.output.name, model.output.rowShape) + "],\"parameters\":{\"weights_sha256\":"
      + Value.quote(model.weightsDigest) + "}}"
  }

  /// `GET /v2`.
  static var server: String {
    "{\"name\":\"fairflow\",\"version\":" + Value.quote(FairflowVersion.current)
      + ",\"extensions\":[\"binary_tensor_data\"]}"
  }

  /// `{"error": "…"}`
  static func error(_ message: String) -> String {
    "{\"error\":" + Value.quote(message) + "}"
  }
}
