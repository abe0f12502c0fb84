/// The bounds `fairflow serve` keeps, each a command-line option (docs/serve.md, "Limits").
///
/// Every request is refused with a clear status before it can cost more than these: a body over
/// `maxBodyBytes` gets 413 as soon as its header says so (or its bytes pass the bound); a request
/// of more than `maxRequestRows` rows gets 400; more than `maxInFlight` requests at once, or a
/// model queue already holding `maxQueueRows` rows, gets 503.
public struct ServeLimits: Sendable, Equatable {
  /// Rows one model runs at once at most (a larger request runs alone).
  public var maxBatch = 64
  /// Seconds the first queued request waits for others to join its batch.
  public var maxQueueDelay = 0.002
  /// Bytes of one request body.
  public var maxBodyBytes = 16 << 20
  /// Rows (the first axis) of one request.
  public var maxRequestRows = 1024
  /// Requests being answered at once, over all connections.
  public var maxInFlight = 64
  /// Rows waiting in one model's queue.
  public var maxQueueRows = 4096
  /// Seconds a connection may stay silent before it is closed.
  public var idleTimeout = 60.0
  /// Seconds SIGTERM waits for requests in flight before the server stops anyway.
  public var drainTimeout = 30.0

  public init() {}
}
