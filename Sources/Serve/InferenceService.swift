internal import FairflowBase
internal import NeuralKit

/// A request as the service sees it: no sockets, so tests call `handle` directly.
struct ServeRequest: Sendable {
  var method: String
  var target: String
  /// The `Inference-Header-Content-Length` header (binary-tensor extension).
  var headerLength: String?
  var body: [UInt8]
}

/// An answer: status, content type, body, and for a binary result the JSON's length.
struct HTTPReply: Sendable, Equatable {
  var status: Int
  var contentType = "application/json"
  var body: [UInt8] = []
  var headerLength: Int?
  /// For 405.
  var allow: String?

  static func error(_ error: ServeError) -> HTTPReply {
    var reply = HTTPReply(
      status: error.httpStatus, body: Array(InferResponse.error(error.message).utf8))
    if error.httpStatus == 405 { reply.allow = error.message.hasSuffix("POST") ? "POST" : "GET" }
    return reply
  }
}

/// The models being served and what answers for them: routes a request, decodes and checks an
/// inference request, queues it on the model's `DynamicBatcher`, encodes the result.
final class InferenceService: Sendable {
  let models: [String: ServedModel]
  let batchers: [String: DynamicBatcher]
  let limits: ServeLimits
  let metrics: ServerMetrics

  init(models: [ServedModel], limits: ServeLimits) throws(ServeError) {
    var byName: [String: ServedModel] = [:]
    for model in models {
      if let other = byName[model.name] {
        throw ServeError(
          "two models are named '\(model.name)': \(other.path) and \(model.path)",
          hint: "serve directories with different names")
      }
      byName[model.name] = model
    }
    let metrics = ServerMetrics()
    self.models = byName
    self.limits = limits
    self.metrics = metrics
    batchers = byName.mapValues { DynamicBatcher(model: $0, limits: limits, metrics: metrics) }
  }

  /// Answers `request` through `reply` (called once, maybe on another thread).
  func handle(_ request: ServeRequest, reply: @escaping @Sendable (HTTPReply) -> Void) {
    do throws(ServeError) {
      let route = try Route.parse(method: request.method, target: request.target)
      var model: ServedModel?
      if let name = route.modelName {
        guard let found = models[name] else {
          throw ServeError(
            "unknown model '\(name)'; serving "
              + models.keys.sorted().map { "'\($0)'" }.joined(separator: ", "), httpStatus: 404)
        }
        model = found
      }
      switch route {
      case .server: reply(.json(InferResponse.server))
      case .live, .ready, .modelReady: reply(HTTPReply(status: 200))
      case .metrics:
        reply(
          HTTPReply(
            status: 200, contentType: "text/plain; version=0.0.4",
            body: Array(metrics.text().utf8)))
      case .model: reply(.json(InferResponse.metadata(model!)))
      case .infer: try infer(request, model: model!, reply: reply)
      }
    } catch {
      reply(.error(error))
    }
  }

  private func infer(
    _ request: ServeRequest, model: ServedModel, reply: @escaping @Sendable (HTTPReply) -> Void
  ) throws(ServeError) {
    var headerLength: Int?
    if let text = request.headerLength {
      guard let n = Int(text) else {
        throw ServeError("Inference-Header-Content-Length '\(text)' is not a number")
      }
      headerLength = n
    }
    let batcher = batchers[model.name]!
    batcher.arriving()
    let decoded: InferRequest
    do {
      decoded = try InferRequest.decode(
        request.body, headerLength: headerLength, model: model, limits: limits)
    } catch {
      batcher.abandon()
      throw error
    }
    let (id, binary) = (decoded.id, decoded.binaryOutput)
    let accepted = batcher.submit(decoded.inputs, rows: decoded.rows, announced: true) { output in
      do throws(ServeError) {
        let (body, length) = try InferResponse.encode(
          model: model, id: id, output: output, binary: binary)
        reply(
          HTTPReply(
            status: 200,
            contentType: length == nil ? "application/json" : "application/octet-stream",
            body: body, headerLength: length))
      } catch {
        reply(.error(error))
      }
    }
    guard accepted else {
      throw ServeError(
        "model '\(model.name)' has \(limits.maxQueueRows) rows queued already (--max-queue-rows); retry later",
        httpStatus: 503)
    }
  }

  /// Stops queuing delays: what is queued runs now.
  func drain() { for batcher in batchers.values { batcher.drain() } }

  /// Whether no model has work queued or running.
  var isIdle: Bool { batchers.values.allSatisfy(\.isIdle) }

  func stop() { for batcher in batchers.values { batcher.stop() } }
}

extension HTTPReply {
  static func json(_ text: String) -> HTTPReply {
    HTTPReply(status: 200, body: Array(text.utf8))
  }
}
