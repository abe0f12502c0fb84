internal import FairflowCore
internal import FairflowBase

/// A kind's `with:` mapping read the way `ConfigReader` reads it at load time, with the same
/// messages, naming the kind where the reader names the stage (a configuration is decoded
/// without its stage). Unknown keys are refused with a "did you mean" hint.
struct WithOptions {
  let kind: String
  let pairs: [(key: String, value: Value)]

  init(
    _ given: Value, kind: String, keys: [String], error: (String, String?) -> PipelineError
  ) throws(PipelineError) {
    guard case .map(let pairs) = given else { throw error("\(kind) needs a 'with' mapping", nil) }
    for (key, _) in pairs where !keys.contains(key) {
      throw error(
        "unknown key '\(key)' in 'with' of a \(kind) stage",
        Suggestion.hint(for: key, in: keys) ?? "valid keys are: \(keys.joined(separator: ", "))")
    }
    self.kind = kind
    self.pairs = pairs
  }

  /// The value of `key` as given (`null` included); nil when absent.
  subscript(key: String) -> Value? { pairs.first { $0.key == key }?.value }

  /// A string option, required unless it has a default.
  func string(
    _ key: String, default fallback: String? = nil, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> String {
    switch self[key] {
    case .string(let s)?: return s
    case nil where fallback != nil: return fallback!
    case nil: throw error("'with' of a \(kind) stage needs '\(key)'", nil)
    case let other?:
      throw error(
        "expected a string for '\(key)' of a \(kind) stage, found \(other.canonicalText)", nil)
    }
  }

  /// An integer option, required unless it has a default.
  func int(
    _ key: String, default fallback: Int? = nil, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> Int {
    switch self[key] {
    case .int(let i)?: return i
    case nil where fallback != nil: return fallback!
    case nil: throw error("'with' of a \(kind) stage needs '\(key)'", nil)
    case let other?:
      throw error(
        "expected an integer for '\(key)' of a \(kind) stage, found \(other.canonicalText)", nil)
    }
  }
}
