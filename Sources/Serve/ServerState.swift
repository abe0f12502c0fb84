internal import Foundation

/// What every connection shares: the service, the limits, the access log, and the drain state
/// (SIGTERM: no request is admitted any more; the server stops once none is in flight).
final class ServerState: Sendable {
  let service: InferenceService
  let log: AccessLog
  var limits: ServeLimits { service.limits }
  private let draining = Flag()

  init(service: InferenceService, log: AccessLog) {
    self.service = service
    self.log = log
  }

  var isDraining: Bool { draining.value }

  func beginDrain() {
    draining.set()
    service.drain()
  }

  /// Admits a request (counted in flight) unless draining or at `maxInFlight`.
  func admit() -> Bool {
    !isDraining && service.metrics.start(limit: limits.maxInFlight)
  }

  func finished(endpoint: String, model: String?, code: Int, seconds: Double) {
    service.metrics.finished(endpoint: endpoint, model: model, code: code, seconds: seconds)
  }

  /// No request in flight and no model with work.
  var isQuiet: Bool { service.metrics.requestsInFlight == 0 && service.isIdle }
}

/// A flag set once, read from any thread.
final class Flag: @unchecked Sendable {
  private let lock = NSLock()
  private var isSet = false

  var value: Bool { lock.withLock { isSet } }
  func set() { lock.withLock { isSet = true } }
}
