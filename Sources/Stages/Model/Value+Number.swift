internal import FairflowBase

extension Value {
  /// A number as a double (an integer converted), else nil.
  var doubleValue: Double? {
    switch self {
    case .double(let d): return d
    case .int(let i): return Double(i)
    default: return nil
    }
  }
}
