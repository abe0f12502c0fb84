internal import Foundation

/// The endpoints (KServe v2 / Open Inference Protocol over REST, plus Prometheus metrics), parsed
/// from a request's method and target:
///
///     GET  /v2                                server metadata
///     GET  /v2/health/live, /v2/health/ready  liveness, readiness
///     GET  /v2/models/NAME[/versions/1]       model metadata
///     GET  /v2/models/NAME[/versions/1]/ready model readiness
///     POST /v2/models/NAME[/versions/1]/infer inference
///     GET  /metrics                           Prometheus text
///
/// A known path with the wrong method is 405; anything else 404. Every model has version "1".
enum Route: Equatable {
  case server, live, ready, metrics
  case model(String), modelReady(String), infer(String)

  /// The route for `method` and `target` (the query string is ignored).
  static func parse(method: String, target: String) throws(ServeError) -> Route {
    let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
    let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
      .map(String.init)
    let route = try match(parts, target: String(path))
    let wanted = route.method
    guard method == wanted else {
      throw ServeError(
        "\(method) \(path): method not allowed; use \(wanted)", httpStatus: 405)
    }
    return route
  }

  /// The route `target` names whatever the method (for metrics labels), or nil.
  static func named(by target: String) -> Route? {
    let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
    let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
      .map(String.init)
    return try? match(parts, target: String(path))
  }

  /// The method the route answers.
  var method: String {
    if case .infer = self { return "POST" }
    return "GET"
  }

  /// The label in metrics.
  var endpoint: String {
    switch self {
    case .server: return "server"
    case .live: return "live"
    case .ready: return "ready"
    case .metrics: return "metrics"
    case .model: return "model"
    case .modelReady: return "model_ready"
    case .infer: return "infer"
    }
  }

  var modelName: String? {
    switch self {
    case .model(let n), .modelReady(let n), .infer(let n): return n
    default: return nil
    }
  }

  private static func match(_ parts: [String], target: String) throws(ServeError) -> Route {
    let notFound = ServeError("no endpoint \(target)", httpStatus: 404)
    switch parts {
    case ["v2"]: return .server
    case ["v2", "health", "live"]: return .live
    case ["v2", "health", "ready"]: return .ready
    case ["metrics"]: return .metrics
    default: break
    }
    guard parts.count >= 3, parts[0] == "v2", parts[1] == "models", !parts[2].isEmpty,
      let name = parts[2].removingPercentEncoding
    else { throw notFound }
    var rest = parts.dropFirst(3)
    if rest.first == "versions" {
      guard rest.count >= 2 else { throw notFound }
      guard rest.dropFirst().first == "1" else {
        throw ServeError("model '\(name)' has only version 1", httpStatus: 404)
      }
      rest = rest.dropFirst(2)
    }
    switch Array(rest) {
    case []: return .model(name)
    case ["ready"]: return .modelReady(name)
    case ["infer"]: return .infer(name)
    default: throw notFound
    }
  }
}
