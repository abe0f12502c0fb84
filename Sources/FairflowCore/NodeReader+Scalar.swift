internal import FairflowBase
internal import Yams

/// Scalar typing, shared by pipeline files and `-p key=value` overrides so that the same text
/// always gives the same value (and so the same fingerprint).
extension NodeReader {
  /// A scalar that has no `Value`: an integer beyond 64 bits, an infinity or a NaN.
  struct ScalarProblem: Error {
    var problem: String
    var hint: String
  }

  /// Types a scalar node as YAML does with Yams' default resolver (the YAML 1.1 words for
  /// booleans, `~` and `null`, ints in several bases, floats such as `1e3` and `.5`): quoted
  /// scalars are strings; tags other than null, bool, int and float (timestamps, `<<`) leave the
  /// text a string. Pipeline files and `-p` overrides are both typed here.
  static func scalarValue(_ scalar: Node.Scalar) throws(ScalarProblem) -> Value {
    let node = Node.scalar(scalar)
    if scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
      return .string(scalar.string)
    }
    switch node.tagName {
    case .null: return .null
    case .bool: return node.bool.map(Value.bool) ?? .string(scalar.string)
    case .int:
      guard let int = node.int else {
        throw ScalarProblem(
          problem: "integer '\(scalar.string)' does not fit in 64 bits",
          hint: "quote it to use it as a string")
      }
      return .int(int)
    case .float:
      guard let double = node.float else { return .string(scalar.string) }
      guard double.isFinite else {
        throw ScalarProblem(
          problem: "number '\(scalar.string)' is not a finite 64-bit float",
          hint:
            "lock files and provenance are JSON, which has no infinity or NaN; quote it to use it as a string"
        )
      }
      return .double(double)
    default: return .string(scalar.string)
    }
  }

  /// Types `text` as the plain (unquoted) scalar it would be if written in a pipeline file.
  static func plainScalarValue(_ text: String) throws(ScalarProblem) -> Value {
    try scalarValue(Node.Scalar(text, Tag(.implicit), .plain))
  }
}
