internal import Foundation

/// Counters the server keeps, written in the Prometheus text exposition format (version 0.0.4)
/// at `GET /metrics`:
///
///     fairflow_serve_requests_total{endpoint="infer",model="in",code="200"} 2000
///     fairflow_serve_request_duration_seconds_bucket{endpoint="infer",model="in",le="0.005"} 1712
///     fairflow_serve_batch_size_bucket{model="in",le="16"} 311
///     fairflow_serve_in_flight 3
///
/// Histograms are cumulative with fixed buckets; lines are sorted by their labels so that the
/// text is stable. One lock guards it all: a request touches it twice.
final class ServerMetrics: @unchecked Sendable {
  static let latencyBuckets = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  ]
  static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

  struct Histogram {
    var counts: [Int]
    var sum = 0.0
    var count = 0

    init(buckets: Int) { counts = Array(repeating: 0, count: buckets) }

    mutating func observe(_ value: Double, bounds: [Double]) {
      for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
      sum += value
      count += 1
    }
  }

  private let lock = NSLock()
  private var requests: [String: Int] = [:]
  private var latency: [String: Histogram] = [:]
  private var batches: [String: Histogram] = [:]
  private var inFlight = 0

  /// Counts a request as in flight (until `finished`) unless `limit` are already.
  func start(limit: Int) -> Bool {
    lock.withLock {
      guard inFlight < limit else { return false }
      inFlight += 1
      return true
    }
  }

  /// A request refused before it was admitted (413, 503): counted, not timed.
  func refused(endpoint: String, code: Int) {
    lock.withLock { requests["endpoint=\(Self.quote(endpoint)),code=\"\(code)\"", default: 0] += 1 }
  }

  /// A request was answered with `code` after `seconds`; `model` for model endpoints.
  func finished(endpoint: String, model: String?, code: Int, seconds: Double) {
    let labels =
      "endpoint=\(Self.quote(endpoint))" + (model.map { ",model=\(Self.quote($0))" } ?? "")
    lock.withLock {
      inFlight -= 1
      requests[labels + ",code=\"\(code)\"", default: 0] += 1
      latency[labels, default: Histogram(buckets: Self.latencyBuckets.count)]
        .observe(seconds, bounds: Self.latencyBuckets)
    }
  }

  /// One batch of `rows` rows ran.
  func recordBatch(model: String, rows: Int) {
    lock.withLock {
      batches["model=\(Self.quote(model))", default: Histogram(buckets: Self.batchBuckets.count)]
        .observe(Double(rows), bounds: Self.batchBuckets)
    }
  }

  /// Requests being answered now.
  var requestsInFlight: Int { lock.withLock { inFlight } }

  /// The exposition text.
  func text() -> String {
    lock.withLock {
      var out =
        "# HELP fairflow_serve_requests_total Requests answered, by endpoint, model and status.\n"
      out += "# TYPE fairflow_serve_requests_total counter\n"
      for (labels, n) in requests.sorted(by: { $0.key < $1.key }) {
        out += "fairflow_serve_requests_total{\(labels)} \(n)\n"
      }
      out += Self.histogram(
        "fairflow_serve_request_duration_seconds",
        help: "Seconds from a request's last byte to its response.", latency, Self.latencyBuckets)
      out += Self.histogram(
        "fairflow_serve_batch_size", help: "Rows per model run (dynamic batching).", batches,
        Self.batchBuckets)
      out += "# HELP fairflow_serve_in_flight Requests being answered.\n"
      out += "# TYPE fairflow_serve_in_flight gauge\nfairflow_serve_in_flight \(inFlight)\n"
      return out
    }
  }

  static func histogram(
    _ name: String, help: String, _ series: [String: Histogram], _ bounds: [Double]
  ) -> String {
    var out = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
    for (labels, h) in series.sorted(by: { $0.key < $1.key }) {
      for (i, bound) in bounds.enumerated() {
        out += "\(name)_bucket{\(labels),le=\"\(format(bound))\"} \(h.counts[i])\n"
      }
      out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(h.count)\n"
      out += "\(name)_sum{\(labels)} \(format(h.sum))\n\(name)_count{\(labels)} \(h.count)\n"
    }
    return out
  }

  static func format(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
  }

  /// A Prometheus label value: backslash, quote and newline escaped.
  static func quote(_ s: String) -> String {
    "\""
      + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n") + "\""
  }
}
