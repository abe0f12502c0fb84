public import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A loopback HTTP/1.1 server for tests that imitates repository APIs: a handler closure answers
/// every request, and every request is logged in order for assertions.
///
/// Each response carries `Connection: close` and the connection is closed after it, so no state
/// survives between requests. ``Response/truncateAfter`` cuts a body short to test resumes.
public final class MockHTTPServer: Sendable {
  /// Answers one request; called concurrently for concurrent connections.
  public typealias Handler = @Sendable (Request) async -> Response

  private let channel: any Channel
  private let log: RequestLog

  /// The bound port on 127.0.0.1.
  public let port: Int

  private init(channel: any Channel, log: RequestLog, port: Int) {
    self.channel = channel
    self.log = log
    self.port = port
  }

  /// Binds 127.0.0.1 on a free port.
  public static func start(_ handler: @escaping Handler) async throws -> MockHTTPServer {
    let log = RequestLog()
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(
            ConnectionHandler(handler: handler, log: log))
        }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    guard let port = channel.localAddress?.port else {
      try? await channel.close().get()
      throw MockServerError.noPort
    }
    return MockHTTPServer(channel: channel, log: log, port: port)
  }

  /// `http://127.0.0.1:PORT`
  public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

  /// Every request received, in order.
  public var requests: [Request] { log.all }

  /// Stops listening; connections in flight finish on their own.
  public func shutdown() async throws {
    do {
      try await channel.close().get()
    } catch ChannelError.alreadyClosed {}
  }
}

enum MockServerError: Error {
  case noPort
}

/// The request log, shared by all connections.
final class RequestLog: @unchecked Sendable {
  private let lock = NSLock()
  private var requests: [MockHTTPServer.Request] = []

  func append(_ request: MockHTTPServer.Request) {
    lock.withLock { requests.append(request) }
  }

  var all: [MockHTTPServer.Request] { lock.withLock { requests } }
}

/// Collects one request, asks the handler, writes the response, closes the connection.
final class ConnectionHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let handler: MockHTTPServer.Handler
  private let log: RequestLog
  private var head: HTTPRequestHead?
  private var body: [UInt8] = []

  init(handler: @escaping MockHTTPServer.Handler, log: RequestLog) {
    self.handler = handler
    self.log = log
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let requestHead):
      head = requestHead
      body = []
    case .body(var buffer):
      body += buffer.readBytes(length: buffer.readableBytes) ?? []
    case .end:
      guard let requestHead = head else { return }
      head = nil
      let request = MockHTTPServer.Request(
        method: requestHead.method.rawValue, uri: requestHead.uri,
        headers: requestHead.headers.map { (name: $0.name, value: $0.value) }, body: body)
      log.append(request)
      let isHead = request.method == "HEAD"
      let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
      // The handler runs on threads of its own, never the cooperative pool: tests that block a
      // pool thread (waiting for a child process) must not starve the server they talk to.
      let promise = context.eventLoop.makePromise(of: MockHTTPServer.Response.self)
      Task(executorPreference: HandlerExecutor.shared) { [handler] in
        promise.succeed(await handler(request))
      }
      promise.futureResult
        .whenSuccess { response in Self.write(response, isHead: isHead, context: bound.value) }
    }
  }

  private static func write(
    _ response: MockHTTPServer.Response, isHead: Bool, context: ChannelHandlerContext
  ) {
    var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
    if !headers.contains(name: "Content-Length") {
      headers.add(name: "Content-Length", value: String(response.body.count))
    }
    headers.replaceOrAdd(name: "Connection", value: "close")
    let status = HTTPResponseStatus(statusCode: response.status)
    let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
    var bytes = isHead ? [] : response.body
    if let limit = response.truncateAfter { bytes = Array(bytes.prefix(max(0, limit))) }
    var buffer = context.channel.allocator.buffer(capacity: bytes.count)
    buffer.writeBytes(bytes)
    let bodyWritten = context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))))
    // A truncated body gets no `.end`: the connection drops once the bytes are out.
    let done =
      response.truncateAfter == nil
      ? context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))) : bodyWritten
    context.flush()
    let channel = context.channel
    done.whenComplete { _ in channel.close(promise: nil) }
  }
}

/// Runs handler tasks on a Dispatch queue (its own threads), outside Swift's cooperative pool.
final class HandlerExecutor: TaskExecutor, @unchecked Sendable {
  static let shared = HandlerExecutor()
  private let queue = DispatchQueue(label: "MockHTTPServer.handler", attributes: .concurrent)

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedTaskExecutor()
    queue.async { job.runSynchronously(on: executor) }
  }
}
