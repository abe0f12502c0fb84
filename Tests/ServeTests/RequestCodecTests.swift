import FairflowBase
import ModelImport
import NeuralKit
import Testing

@testable import Serve

/// Routing, request decoding and checking, response encoding: no sockets.
@Suite struct RequestCodecTests {
  static let bragg = ServedModel(
    name: "bragg", path: "models/bragg", model: .braggNN(BraggNN(seed: 1)), weightsDigest: "d")

  func decode(_ text: String, binary: [UInt8] = []) throws(ServeError) -> InferRequest {
    let header = Array(text.utf8)
    return try InferRequest.decode(
      header + binary, headerLength: binary.isEmpty ? nil : header.count, model: Self.bragg,
      limits: ServeLimits())
  }

  func message(_ text: String) -> String? {
    do {
      _ = try decode(text)
      return nil
    } catch { return error.message }
  }

  @Test func routes() throws {
    #expect(try Route.parse(method: "GET", target: "/v2/health/live") == .live)
    #expect(try Route.parse(method: "GET", target: "/v2/models/a%20b?x=1") == .model("a b"))
    #expect(
      try Route.parse(method: "GET", target: "/v2/models/m/versions/1/ready") == .modelReady("m"))
    #expect(try Route.parse(method: "POST", target: "/v2/models/m/infer") == .infer("m"))
    #expect(
      throws: ServeError("GET /v2/models/m/infer: method not allowed; use POST", httpStatus: 405)
    ) {
      try Route.parse(method: "GET", target: "/v2/models/m/infer")
    }
    #expect(throws: ServeError("no endpoint /v2/models/m/explain", httpStatus: 404)) {
      try Route.parse(method: "POST", target: "/v2/models/m/explain")
    }
    #expect(throws: ServeError("model 'm' has only version 1", httpStatus: 404)) {
      try Route.parse(method: "POST", target: "/v2/models/m/versions/3/infer")
    }
  }

  @Test func labelsRoutesWhateverTheMethod() {
    #expect(Route.named(by: "/v2/models/m/infer?x") == .infer("m"))
    #expect(Route.named(by: "/v3") == nil)
  }

  @Test func decodesNestedAndBinaryData() throws {
    let row = (0..<121).map { Float($0) / 8 }
    let nested = (0..<11).map { r in
      "[" + (0..<11).map { String(row[r * 11 + $0]) }.joined(separator: ",") + "]"
    }
    let json = try decode(
      #"{"id":"r","inputs":[{"name":"patch","datatype":"FP32","shape":[1,1,11,11],"data":[[["#
        + nested.joined(separator: ",") + "]]]}]}")
    #expect(json.inputs == [Tensor(shape: [1, 1, 11, 11], data: row)])
    #expect(json.id == "r" && json.rows == 1 && !json.binaryOutput)
    let bytes = row.flatMap { f in
      (0..<4).map { UInt8(truncatingIfNeeded: f.bitPattern >> (8 * $0)) }
    }
    let binary = try decode(
      #"{"inputs":[{"name":"patch","datatype":"FP32","shape":[1,1,11,11],"parameters":{"binary_data_size":484}}],"parameters":{"binary_data_output":true}}"#,
      binary: bytes)
    #expect(binary.inputs == json.inputs && binary.binaryOutput)
  }

  @Test func refusesBadRequestsWithClearMessages() {
    let zeros = Array(repeating: "0", count: 121).joined(separator: ",")
    func patch(_ shape: String, _ datatype: String = "FP32", data: String = zeros) -> String {
      #"{"inputs":[{"name":"patch","datatype":""# + datatype + #"","shape":"# + shape
        + #","data":["# + data + "]}]}"
    }
    #expect(
      message("{") == "malformed JSON: request: invalid JSON at byte 1: expected a string key")
    #expect(
      message(patch("[1,1,11,11]", "FP64"))
        == "input 'patch' has datatype FP64; the model takes FP32")
    #expect(
      message(patch("[1,11,11]"))
        == "input 'patch' has shape [1, 11, 11]; the model takes [N] + [1, 11, 11] with N from 1 to 1024"
    )
    #expect(
      message(patch("[2000,1,11,11]"))
        == "input 'patch' has 2000 rows; the server takes [N] + [1, 11, 11] with N from 1 to 1024 (--max-request-rows)"
    )
    #expect(
      message(patch("[1,1,11,11]", data: "1,2"))
        == "input 'patch' has 2 values; shape [1, 1, 11, 11] needs 121")
    #expect(
      message(patch("[1,1,11,11]", data: "1e39," + zeros))
        == "input 'patch': 1e+39 is not a finite FP32 value; only finite values are accepted")
    #expect(
      message(#"{"inputs":[{"name":"image","datatype":"FP32","shape":[1],"data":[1]}]}"#)
        == "unknown input 'image'; model 'bragg' takes patch [-1, 1, 11, 11] FP32")
    #expect(
      message(#"{"inputs":[]}"#)
        == "missing input 'patch'; model 'bragg' takes patch [-1, 1, 11, 11] FP32")
  }

  @Test func encodesFloat32SoThatDoublesGiveTheBitsBack() throws {
    let output = Tensor(shape: [1, 2], data: [0.1, -3])
    let (body, length) = try InferResponse.encode(
      model: Self.bragg, id: nil, output: output, binary: false)
    #expect(length == nil)
    #expect(
      String(decoding: body, as: UTF8.self)
        == #"{"model_name":"bragg","model_version":"1","outputs":[{"name":"ploc","datatype":"FP32","shape":[1,2],"data":[0.10000000149011612,-3.0]}]}"#
    )
    #expect(Float(Double("0.10000000149011612")!) == Float(0.1))
    let (raw, header) = try InferResponse.encode(
      model: Self.bragg, id: nil, output: output, binary: true)
    #expect(raw.count == header! + 8)
    #expect(Array(raw.suffix(4)) == [0x00, 0x00, 0x40, 0xC0])
  }

  @Test func metricsText() {
    let metrics = ServerMetrics()
    #expect(metrics.start(limit: 1))
    #expect(!metrics.start(limit: 1))
    metrics.finished(endpoint: "infer", model: "bragg", code: 200, seconds: 0.003)
    metrics.recordBatch(model: "bragg", rows: 5)
    metrics.refused(endpoint: "infer", code: 413)
    let text = metrics.text()
    for line in [
      #"fairflow_serve_requests_total{endpoint="infer",model="bragg",code="200"} 1"#,
      #"fairflow_serve_requests_total{endpoint="infer",code="413"} 1"#,
      #"fairflow_serve_request_duration_seconds_bucket{endpoint="infer",model="bragg",le="0.0025"} 0"#,
      #"fairflow_serve_request_duration_seconds_bucket{endpoint="infer",model="bragg",le="0.005"} 1"#,
      #"fairflow_serve_batch_size_bucket{model="bragg",le="4"} 0"#,
      #"fairflow_serve_batch_size_bucket{model="bragg",le="8"} 1"#,
      #"fairflow_serve_batch_size_sum{model="bragg"} 5"#, "fairflow_serve_in_flight 0",
    ] {
      #expect(text.contains(line + "\n"), "\(line)")
    }
  }
}
