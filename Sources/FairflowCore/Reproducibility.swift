public import FairflowBase

/// How `fairflow reproduce` compares a stage's outputs with its record: byte for byte (the
/// default: every built-in stage gives the same bits for the same inputs and seed), or, for a
/// stage declared `deterministic: false` (a user's GPU script, a timing benchmark), its JSON
/// metrics within `tolerance:`.
///
/// ```yaml
/// train-gpu:
///   cmd: python train.py
///   deterministic: false
///   tolerance: {auc: 0.002, loss: "1%", seconds: any}
/// ```
///
/// A tolerance key names a value of the stage's JSON outputs, flattened as `a.b` / `list[2]`:
/// it matches that key, or any key whose last part (after the last `.`) it equals (`auc` matches
/// `auc` and `runs[0].auc`). A number is an absolute bound on |reproduced − recorded|; `"N%"` a
/// bound relative to |recorded|; `any` accepts any number (wall-clock times). Not part of the
/// fingerprint: it changes how results are judged, not what a stage computes.
public struct Reproducibility: Sendable, Equatable {
  public struct Tolerance: Sendable, Equatable {
    public var key: String
    /// |Δ| bound; nil with `percent`.
    public var absolute: Double?
    /// |Δ| / |recorded| bound in percent (1 for "1%").
    public var percent: Double?

    public init(key: String, absolute: Double? = nil, percent: Double? = nil) {
      self.key = key
      self.absolute = absolute
      self.percent = percent
    }

    /// Whether `key` (flattened) is the one this tolerance names.
    public func matches(_ flattened: String) -> Bool {
      if flattened == key { return true }
      guard let dot = flattened.lastIndex(of: ".") else { return false }
      return flattened[flattened.index(after: dot)...] == key[...]
    }

    public func accepts(recorded: Double, reproduced: Double) -> Bool {
      if recorded == reproduced { return true }
      let delta = abs(reproduced - recorded)
      if let absolute { return absolute.isInfinite || delta <= absolute }
      if let percent { return delta <= percent / 100 * abs(recorded) }
      return false
    }

    /// `0.002`, `"1%"` or `any` as written.
    public var value: Value {
      if let percent { return .string("\(percent)%") }
      if absolute?.isInfinite == true { return .string("any") }
      return .double(absolute ?? 0)
    }

    /// Reads a tolerance as written in YAML or a record; nil when it is not one.
    public init?(key: String, value: Value) {
      self.key = key
      switch value {
      case .int(let i) where i >= 0: absolute = Double(i)
      case .double(let d) where d >= 0: absolute = d
      case .string("any"): absolute = .infinity
      case .string(let s) where s.hasSuffix("%"):
        guard let n = Double(String(s.dropLast()).trimmingWhitespace()), n >= 0, n.isFinite else {
          return nil
        }
        percent = n
      default: return nil
      }
    }
  }

  public var deterministic: Bool
  public var tolerance: [Tolerance]

  public init(deterministic: Bool, tolerance: [Tolerance] = []) {
    self.deterministic = deterministic
    self.tolerance = tolerance
  }

  public static let bitwise = Reproducibility(deterministic: true)

  /// The tolerance that applies to a flattened key (an exact key before a last-part match).
  public func tolerance(for key: String) -> Tolerance? {
    tolerance.first { $0.key == key } ?? tolerance.first { $0.matches(key) }
  }

  /// `{"deterministic": false, "tolerance": {…}}` as provenance records carry it.
  public var value: Value {
    .map([
      ("deterministic", .bool(deterministic)),
      ("tolerance", .map(tolerance.map { ($0.key, $0.value) })),
    ])
  }

  /// Reads `value`; nil when it is not a reproducibility declaration.
  public init?(value: Value) {
    guard case .bool(let deterministic)? = value["deterministic"] else { return nil }
    var tolerance: [Tolerance] = []
    if case .map(let pairs)? = value["tolerance"] {
      for (key, bound) in pairs {
        guard let t = Tolerance(key: key, value: bound) else { return nil }
        tolerance.append(t)
      }
    }
    self.init(deterministic: deterministic, tolerance: tolerance)
  }
}
