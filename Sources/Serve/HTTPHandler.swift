internal import FairflowBase
internal import Foundation
internal import NIOCore
internal import NIOHTTP1

/// One connection: collects a request (bounding its body), asks the `InferenceService`, writes
/// the answer, logs it. Keep-alive and pipelining as HTTP/1.1 has them (NIO's pipelining handler
/// holds a second request until the first is answered).
///
/// A body whose `Content-Length` passes `maxBodyBytes` is answered 413 at once, and so is one
/// whose bytes pass it as they come (chunked); the connection is then closed, as the rest of the
/// body is not read; `Expect: 100-continue` is answered at once otherwise. While the server
/// drains, a new request is answered 503 and the connection closed.
final class HTTPHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let server: ServerState
  private var head: HTTPRequestHead?
  private var body: [UInt8] = []
  /// After a refusal: the rest of the request is ignored.
  private var discarding = false

  init(server: ServerState) { self.server = server }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let requestHead):
      head = requestHead
      body = []
      discarding = false
      let declared = requestHead.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
      if declared > server.limits.maxBodyBytes {
        refuse(context, ServeError(bodyTooLarge: declared, limit: server.limits.maxBodyBytes))
      } else if requestHead.headers.first(name: "Expect")?.lowercased() == "100-continue" {
        // curl asks before a large body and otherwise waits a second for the answer.
        let proceed = HTTPResponseHead(version: requestHead.version, status: .continue)
        context.writeAndFlush(wrapOutboundOut(.head(proceed)), promise: nil)
      }
    case .body(var buffer):
      guard !discarding else { return }
      if body.count + buffer.readableBytes > server.limits.maxBodyBytes {
        refuse(
          context,
          ServeError(
            bodyTooLarge: body.count + buffer.readableBytes, limit: server.limits.maxBodyBytes))
        return
      }
      body += buffer.readBytes(length: buffer.readableBytes) ?? []
    case .end:
      guard !discarding, let requestHead = head else { return }
      head = nil
      guard server.admit() else {
        let error =
          server.isDraining
          ? ServeError("the server is shutting down", httpStatus: 503)
          : ServeError(
            "\(server.limits.maxInFlight) requests in flight already (--max-in-flight); retry later",
            httpStatus: 503)
        respond(
          context, head: requestHead, reply: .error(error), started: MonotonicClock.now(),
          counted: false)
        return
      }
      let started = MonotonicClock.now()
      let request = ServeRequest(
        method: requestHead.method.rawValue, target: requestHead.uri,
        headerLength: requestHead.headers.first(name: "Inference-Header-Content-Length"),
        body: body)
      body = []
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      let loop = context.eventLoop
      server.service.handle(request) { reply in
        loop.execute {
          let (handler, context) = bound.value
          handler.respond(context, head: requestHead, reply: reply, started: started, counted: true)
        }
      }
    }
  }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if event is IdleStateHandler.IdleStateEvent {
      context.close(promise: nil)
    } else {
      context.fireUserInboundEventTriggered(event)
    }
  }

  /// Answers a request refused before its body was read, and closes the connection.
  private func refuse(_ context: ChannelHandlerContext, _ error: ServeError) {
    guard let requestHead = head else { return }
    discarding = true
    head = nil
    body = []
    respond(
      context, head: requestHead, reply: .error(error), started: MonotonicClock.now(),
      counted: false, close: true)
  }

  private func respond(
    _ context: ChannelHandlerContext, head requestHead: HTTPRequestHead, reply: HTTPReply,
    started: Double, counted: Bool, close: Bool = false
  ) {
    let keepAlive = requestHead.isKeepAlive && !close && !server.isDraining
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: reply.contentType)
    headers.add(name: "Content-Length", value: String(reply.body.count))
    if let length = reply.headerLength {
      headers.add(name: "Inference-Header-Content-Length", value: String(length))
    }
    if let allow = reply.allow { headers.add(name: "Allow", value: allow) }
    headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
    let status = HTTPResponseStatus(statusCode: reply.status)
    context.write(
      wrapOutboundOut(
        .head(HTTPResponseHead(version: requestHead.version, status: status, headers: headers))),
      promise: nil)
    var buffer = context.channel.allocator.buffer(capacity: reply.body.count)
    buffer.writeBytes(reply.body)
    context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
    if !keepAlive {
      let channel = context.channel
      done.whenComplete { _ in channel.close(promise: nil) }
    }
    let seconds = MonotonicClock.now() - started
    let route = Route.named(by: requestHead.uri)
    server.log.record(
      client: context.remoteAddress.map(Self.describe) ?? "-",
      method: requestHead.method.rawValue, uri: requestHead.uri,
      version: "HTTP/\(requestHead.version.major).\(requestHead.version.minor)",
      status: reply.status, bytes: reply.body.count, seconds: seconds)
    if counted {
      server.finished(
        endpoint: route?.endpoint ?? "other",
        model: route?.modelName.flatMap { server.service.models[$0]?.name },
        code: reply.status, seconds: seconds)
    } else {
      server.service.metrics.refused(endpoint: route?.endpoint ?? "other", code: reply.status)
    }
  }

  static func describe(_ address: SocketAddress) -> String {
    "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
  }
}

extension ServeError {
  init(bodyTooLarge bytes: Int, limit: Int) {
    self.init(
      "the request body has \(bytes) bytes; the server takes at most \(limit) (--max-body-bytes)",
      httpStatus: 413)
  }
}
