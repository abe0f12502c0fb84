/// A `Content-Range: bytes S-E/T` header of a 206 answer (RFC 9110 §14.4); `T` may be `*`.
struct ContentRange: Equatable {
  var start: Int64
  var end: Int64
  var total: Int64?

  init(start: Int64, end: Int64, total: Int64?) {
    self.start = start
    self.end = end
    self.total = total
  }

  /// nil unless `header` is a satisfied byte range with `start <= end`.
  init?(_ header: String) {
    var text = Substring(header).drop { $0 == " " }
    guard text.lowercased().hasPrefix("bytes ") else { return nil }
    text = text.dropFirst(6).drop { $0 == " " }
    let halves = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    guard halves.count == 2 else { return nil }
    let bounds = halves[0].split(separator: "-", omittingEmptySubsequences: false)
    guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]),
      start >= 0, start <= end
    else { return nil }
    let totalText = halves[1].filter { $0 != " " }
    var total: Int64?
    if totalText != "*" {
      guard let value = Int64(totalText), value > end else { return nil }
      total = value
    }
    self.init(start: start, end: end, total: total)
  }
}
