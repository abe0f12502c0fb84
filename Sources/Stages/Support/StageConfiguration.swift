public import FairflowBase
public import FairflowCore
public import FairflowEngine

/// A kind's `with:` mapping decoded once into a typed value.
///
/// `init` checks everything that can be checked without the files (types, ranges, required
/// keys, combinations), reporting through `error`, which the loader turns into a
/// file:line:column diagnostic at the stage's `with:`. `value` is the normalised mapping
/// (defaults filled in): it enters the stage's fingerprint, and decoding it again gives the same
/// configuration, which is how the stage's own process (`fairflow exec-stage`) gets it back.
public protocol StageConfiguration: Sendable {
  /// The keys `with:` may hold; any other is refused with a "did you mean" hint.
  static var keys: [String] { get }
  init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError)
  var value: Value { get }
}

/// A built-in kind whose run function takes its typed configuration.
public protocol TypedStage: BuiltinStage {
  associatedtype Configuration: StageConfiguration
  func run(_ config: Configuration, stage: Stage, workspace: Workspace) async throws
}

extension TypedStage {
  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let given = Value.map(
      Configuration.keys.compactMap { key in reader.value(key).map { (key, $0) } })
    try reader.finish()
    return try Configuration(given) { reader.error($0, hint: $1) }.value
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let typed = try Configuration(config) { PipelineError($0, hint: $1) }
    try await run(typed, stage: stage, workspace: workspace)
  }
}
