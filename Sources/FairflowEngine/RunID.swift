internal import Glibc

/// Time-sortable run identifiers: `20261122T150102.123Z-3f2a` (UTC, milliseconds, random suffix).
public enum RunID {
  public static func make() -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return format(seconds: Int(ts.tv_sec), milliseconds: Int(ts.tv_nsec) / 1_000_000)
      + "-" + String(UInt16.random(in: 0...UInt16.max), radix: 16).leftPadded(to: 4)
  }

  static func format(seconds: Int, milliseconds: Int) -> String {
    var time = time_t(seconds)
    var parts = tm()
    gmtime_r(&time, &parts)
    func two(_ n: Int32) -> String { String(n).leftPadded(to: 2) }
    return
      "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))T\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))."
      + String(milliseconds).leftPadded(to: 3) + "Z"
  }

  /// RFC 3339 UTC timestamp of now, to the second or (`milliseconds`) the millisecond.
  public static func timestamp(milliseconds: Bool = false) -> String {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    let fraction = milliseconds ? "." + String(Int(ts.tv_nsec) / 1_000_000).leftPadded(to: 3) : ""
    var time = ts.tv_sec
    var parts = tm()
    gmtime_r(&time, &parts)
    func two(_ n: Int32) -> String { String(n).leftPadded(to: 2) }
    return
      "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))\(fraction)Z"
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
