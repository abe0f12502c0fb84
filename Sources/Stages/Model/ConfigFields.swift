internal import FairflowBase
internal import FairflowCore
internal import StageSupport

/// A model kind's given `with:` mapping, read with `ConfigReader`'s wording ("'with' of stage
/// 'S' needs 'K'", "expected a string for 'K' of stage 'S', found …"), so that the typed
/// configurations report exactly what the kinds' validation always reported.
///
/// Problems are thrown unlocated; `decode` hands them to the caller's `error`, which places
/// them (the loader: file:line:column at the stage's `with:`). `stage` is the stage's name at
/// load time, the kind's name when an already validated configuration is decoded again.
struct ConfigFields {
  let given: Value
  let stage: String

  /// The raw value of `key`, or nil when absent.
  func value(_ key: String) -> Value? { given[key] }

  func string(_ key: String, default fallback: String? = nil) throws(PipelineError) -> String {
    switch value(key) {
    case .string(let s): return s
    case nil where fallback != nil: return fallback!
    case nil: throw PipelineError("'with' of stage '\(stage)' needs '\(key)'")
    case let other?:
      throw PipelineError(
        "expected a string for '\(key)' of stage '\(stage)', found \(other.canonicalText)")
    }
  }

  func int(_ key: String, default fallback: Int? = nil) throws(PipelineError) -> Int {
    switch value(key) {
    case .int(let i): return i
    case nil where fallback != nil: return fallback!
    case nil: throw PipelineError("'with' of stage '\(stage)' needs '\(key)'")
    case let other?:
      throw PipelineError(
        "expected an integer for '\(key)' of stage '\(stage)', found \(other.canonicalText)")
    }
  }

  /// An unlocated problem with this configuration.
  func problem(_ text: String, hint: String? = nil) -> PipelineError {
    PipelineError(text, hint: hint)
  }

  /// Decodes `given` with `body`, passing each problem through `error` (which locates it).
  static func decode<Configuration>(
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

/// A model kind's configuration decoded from `ConfigFields`: its messages name the stage.
protocol FieldsConfiguration: StageConfiguration {
  init(fields: ConfigFields) throws(PipelineError)
}

extension FieldsConfiguration {
  /// What `TypedStage.validate` does, with the stage's name in the messages and the checks in
  /// the order the kind always made them: the configuration's own problems before an unknown
  /// key (with its "did you mean" hint).
  static func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
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
