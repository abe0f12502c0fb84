internal import FairflowBase
internal import Foundation
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// `fairflow serve`'s HTTP server: SwiftNIO, HTTP/1.1 with keep-alive, one `HTTPHandler` per
/// connection over a shared `ServerState`.
///
/// Shutting down (`drain`, on SIGTERM) stops accepting connections, answers new requests on open
/// ones 503, lets every admitted request finish (queued batches run without waiting to fill),
/// then closes what is left; after `drainTimeout` seconds it stops anyway.
public final class InferenceServer: Sendable {
  /// The port bound (the one asked for, or a free one for port 0).
  public let port: Int
  private let channel: any Channel
  private let group: MultiThreadedEventLoopGroup
  private let state: ServerState

  private init(
    channel: any Channel, group: MultiThreadedEventLoopGroup, state: ServerState, port: Int
  ) {
    (self.channel, self.group, self.state, self.port) = (channel, group, state, port)
  }

  /// Loads nothing itself: serves `models` on `host:port`.
  public static func start(
    models: [ServedModel], host: String, port: Int, limits: ServeLimits, log: AccessLog
  ) async throws(ServeError) -> InferenceServer {
    let state = ServerState(service: try InferenceService(models: models, limits: limits), log: log)
    let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount))
    let idle = TimeAmount.milliseconds(Int64(limits.idleTimeout * 1000))
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(
            withPipeliningAssistance: true, withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(HTTPHandler(server: state))
        }
      }
    do {
      let channel = try await bootstrap.bind(host: host, port: port).get()
      return InferenceServer(
        channel: channel, group: group, state: state, port: channel.localAddress?.port ?? port)
    } catch {
      state.service.stop()
      try? await group.shutdownGracefully()
      let inUse = (error as? IOError)?.errnoCode == EADDRINUSE
      throw ServeError(
        "cannot listen on \(host):\(port): "
          + (inUse ? "the address is in use" : String(describing: error)),
        hint: inUse ? "choose another --port (--port 0 picks a free one)" : nil)
    }
  }

  /// Requests in flight now.
  public var requestsInFlight: Int { state.service.metrics.requestsInFlight }

  /// Stops the server: no new connection or request, admitted requests answered (for at most
  /// `drainTimeout` seconds), then everything closed. Returns the requests still unanswered
  /// (0 after a clean drain).
  public func drain() async -> Int {
    state.beginDrain()
    try? await channel.close().get()
    let deadline = MonotonicClock.now() + state.limits.drainTimeout
    while !state.isQuiet, MonotonicClock.now() < deadline {
      try? await Task.sleep(nanoseconds: 10_000_000)
    }
    let left = requestsInFlight
    // The last responses were handed to their sockets; give them a moment to leave.
    try? await Task.sleep(nanoseconds: 100_000_000)
    state.service.stop()
    try? await group.shutdownGracefully()
    return left
  }
}
