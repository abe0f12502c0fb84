import Foundation

/// Retry timing (doi-apis.md §13.3): 408, 429, 500, 502, 503 and 504 and transport failures are
/// retried up to ``RequestPolicy/maxAttempts``. On 429 and 503 the server's `Retry-After`
/// (seconds or an HTTP-date) is the wait; otherwise the wait doubles per attempt from
/// ``RequestPolicy/initialBackoff`` with deterministic jitter, never above
/// ``RequestPolicy/maxBackoff``.
extension WebClient {
  package static let retried: Set<Int> = [408, 429, 500, 502, 503, 504]

  /// Seconds to wait after the retryable answer `head`, or a throw when the server asks for
  /// longer than the policy allows.
  func delay(after head: HTTPResponseHead, attempt: Int, url: URL) throws -> Double {
    guard head.status == 429 || head.status == 503,
      let value = head.header("Retry-After"),
      let seconds = Self.retryAfterSeconds(value, now: Date())
    else { return backoff(attempt: attempt, url: url) }
    guard seconds <= policy.maxBackoff else {
      throw FetchError.httpStatus(
        url: redactedURL(url), status: head.status,
        detail: "the server asks to retry after \(Int(seconds.rounded(.up))) s, "
          + "more than the \(Int(policy.maxBackoff)) s limit")
    }
    return seconds
  }

  /// Exponential backoff for the `attempt`-th failure: `initialBackoff · 2^(attempt-1)` scaled
  /// by a jitter factor in [0.5, 1) drawn from a generator seeded by the URL and attempt, so
  /// that runs are reproducible yet concurrent clients do not retry in lockstep.
  func backoff(attempt: Int, url: URL) -> Double {
    let base = policy.initialBackoff * pow(2, Double(max(0, attempt - 1)))
    var seed: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in url.absoluteString.utf8 { seed = (seed ^ UInt64(byte)) &* 0x100_0000_01b3 }
    seed ^= UInt64(attempt)
    let unit = Double(splitMix(seed) >> 11) / Double(1 << 53)
    return min(policy.maxBackoff, base * (0.5 + 0.5 * unit))
  }

  /// `Retry-After` as delay-seconds or an IMF-fixdate (RFC 9110 §10.2.3); nil if neither.
  static func retryAfterSeconds(_ value: String, now: Date) -> Double? {
    let text = value.trimmingCharacters(in: .whitespaces)
    if let seconds = Int(text), seconds >= 0 { return Double(seconds) }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: text) else { return nil }
    return max(0, date.timeIntervalSince(now))
  }

  private func splitMix(_ state: UInt64) -> UInt64 {
    var z = state &+ 0x9e37_79b9_7f4a_7c15
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
