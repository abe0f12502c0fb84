public import StageSupport
public import FairflowCore
public import FairflowBase

/// The `with:` of a `generate` stage:
///
/// ```yaml
/// with:
///   kind: hbb-jets          # or bragg-peaks
///   count: 12000            # jets or patches, 1 to 50,000,000
///   seed: 7                 # default 1
///   output: data/hbb/raw/jets.h5
/// ```
public struct GenerateConfig: Sendable, Equatable {
  /// What to generate (docs/generate.md).
  public enum Kind: String, Sendable, CaseIterable {
    case hbbJets = "hbb-jets"
    case braggPeaks = "bragg-peaks"
  }

  public var kind: Kind
  public var count: Int
  public var seed: Int
  /// Workspace-relative path of the HDF5 file written.
  public var output: String

  /// The generator's seed: `seed` as 64 bits (negative seeds wrap).
  public var generatorSeed: UInt64 { UInt64(bitPattern: Int64(seed)) }
}

extension GenerateConfig: StageConfiguration {
  public static let keys = ["kind", "count", "seed", "output"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    guard case .map(let pairs) = given else { throw error("generate needs a 'with' mapping", nil) }
    for (key, _) in pairs where !Self.keys.contains(key) {
      throw error(
        "unknown key '\(key)' in 'with' of a generate stage",
        Suggestion.hint(for: key, in: Self.keys)
          ?? "valid keys are: \(Self.keys.joined(separator: ", "))")
    }
    let name = try Self.string(given["kind"], "kind", error: error)
    guard let kind = Kind(rawValue: name) else {
      throw error("unknown kind '\(name)'", "available: hbb-jets, bragg-peaks")
    }
    self.kind = kind
    count = try Self.int(given["count"], "count", error: error)
    guard count > 0, count <= 50_000_000 else {
      throw error("'count' must be between 1 and 50,000,000", nil)
    }
    seed = try Self.int(given["seed"] ?? .int(1), "seed", error: error)
    output = try Self.string(given["output"], "output", error: error)
  }

  /// A required string option.
  static func string(
    _ v: Value?, _ key: String, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> String {
    switch v {
    case .string(let s)?: return s
    case nil: throw error("'with' of a generate stage needs '\(key)'", nil)
    case let other?:
      throw error(
        "expected a string for '\(key)' of a generate stage, found \(other.canonicalText)", nil)
    }
  }

  /// A required integer option.
  static func int(
    _ v: Value?, _ key: String, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> Int {
    switch v {
    case .int(let i)?: return i
    case nil: throw error("'with' of a generate stage needs '\(key)'", nil)
    case let other?:
      throw error(
        "expected an integer for '\(key)' of a generate stage, found \(other.canonicalText)", nil)
    }
  }

  /// The normalised configuration (what enters the fingerprint).
  public var value: Value {
    .map([
      ("kind", .string(kind.rawValue)), ("count", .int(count)), ("seed", .int(seed)),
      ("output", .string(output)),
    ])
  }
}
