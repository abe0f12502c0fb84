public import FairflowBase
public import FairflowCore

/// A kind's given `with:` mapping, read with `ConfigReader`'s wording ("'with' of stage
/// 'S' needs 'K'", "expected a string for 'K' of stage 'S', found …"), so that the typed
/// configurations report exactly what the kinds' validation always reported.
///
/// Problems are thrown unlocated; `decode` hands them to the caller's `error`, which places
/// them (the loader: file:line:column at the stage's `with:`). `stage` is the stage's name at
/// load time, the kind's name when an already validated configuration is decoded again.
public struct ConfigFields {
  public let given: Value
  public let stage: String

  public init(given: Value, stage: String) {
    self.given = given
    self.stage = stage
  }

  /// The raw value of `key`, or nil when absent.
  public func value(_ key: String) -> Value? { given[key] }

  public func string(_ key: String, default fallback: String? = nil) throws(PipelineError)
    -> String
  {
    switch value(key) {
    case .string(let s): return s
    case nil where fallback != nil: return fallback!
    case nil: throw PipelineError("'with' of stage '\(stage)' needs '\(key)'")
    case let other?:
      throw PipelineError(
        "expected a string for '\(key)' of stage '\(stage)', found \(other.canonicalText)")
    }
  }

  public func int(_ key: String, default fallback: Int? = nil) throws(PipelineError) -> Int {
    switch value(key) {
    case .int(let i): return i
    case nil where fallback != nil: return fallback!
    case nil: throw PipelineError("'with' of stage '\(stage)' needs '\(key)'")
    case let other?:
      throw PipelineError(
        "expected an integer for '\(key)' of stage '\(stage)', found \(other.canonicalText)")
    }
  }

  /// Turns a message and hint into an unlocated problem (`decode` locates it).
  public static func unlocated(_ problem: String, _ hint: String?) -> PipelineError {
    PipelineError(problem, hint: hint)
  }

  /// An unlocated problem with this configuration.
  public func problem(_ text: String, hint: String? = nil) -> PipelineError {
    PipelineError(text, hint: hint)
  }

  /// Decodes `given` with `body`, passing each problem through `error` (which locates it).
  public static func decode<Configuration>(
    _ given: Value, stage: String, error: (String, String?) -> PipelineError,
    _ body: (ConfigFields) throws(PipelineError) -> Configuration
  ) throws(PipelineError) -> Configuration {
    do {
      return try body(ConfigFields(given: given, stage: stage))
    } catch let problem {
      throw error(problem.problem, problem.hint)
    }
  }
}

/// A kind's configuration decoded from `ConfigFields`: its messages name the stage.
public protocol FieldsConfiguration: StageConfiguration {
  init(fields: ConfigFields) throws(PipelineError)
}

extension FieldsConfiguration {
  /// What `TypedStage.validate` does, with the stage's name in the messages and the checks in
  /// the order the kind always made them: the configuration's own problems before an unknown
  /// key (with its "did you mean" hint).
  public static func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let given = Value.map(keys.compactMap { key in reader.value(key).map { (key, $0) } })
    let located = reader
    let typed = try ConfigFields.decode(given, stage: reader.stage, error: located.error) {
      fields throws(PipelineError) in try Self(fields: fields)
    }
    try reader.finish()
    return typed.value
  }
}

extension TypedStage where Configuration: FieldsConfiguration {
  /// Kinds whose configuration reads `ConfigFields` validate with the stage's name in messages.
  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    try Configuration.validate(config)
  }
}
