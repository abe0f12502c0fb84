public import FairflowBase
public import FairflowCore
public import StageSupport

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

extension GenerateConfig: StageConfiguration, FieldsConfiguration {
  public static let keys = ["kind", "count", "seed", "output"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "generate", error: error, Self.init(fields:))
  }

  public init(fields f: ConfigFields) throws(PipelineError) {
    let name = try f.string("kind")
    guard let kind = Kind(rawValue: name) else {
      throw f.problem("unknown kind '\(name)'", hint: "available: hbb-jets, bragg-peaks")
    }
    self.kind = kind
    count = try f.int("count")
    guard count > 0, count <= 50_000_000 else {
      throw f.problem("'count' must be between 1 and 50,000,000")
    }
    seed = try f.int("seed", default: 1)
    output = try f.string("output")
  }

  /// The normalised configuration (what enters the fingerprint).
  public var value: Value {
    .map([
      ("kind", .string(kind.rawValue)), ("count", .int(count)), ("seed", .int(seed)),
      ("output", .string(output)),
    ])
  }
}
