internal import Glibc

/// The one monotonic clock: seconds since an arbitrary fixed point, never stepped by NTP or the
/// user. Durations (stage timings, training logs, timeouts, ETAs) are differences of two readings;
/// wall-clock times come from `Date`.
public enum MonotonicClock {
  /// Seconds on the monotonic clock.
  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// Nanoseconds on the monotonic clock (for unique, ordered identifiers).
  public static func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
  }
}
