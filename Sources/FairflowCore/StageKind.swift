public import FairflowBase
/// A built-in stage kind (`uses: NAME`): a typed configuration read from `with:` and an
/// implementation version that enters the fingerprint, so upgrading a kind's algorithm reruns
/// exactly the stages that use it.
///
/// Kinds are registered in a `StageKindRegistry`; the loader validates `with:` through
/// `validate(_:)` at load time (with file:line:column errors), and the engine runs them in a
/// child process (`fairflow exec-stage`) so a built-in runs locally or under Slurm unchanged.
public protocol StageKind: Sendable {
  /// The name used in `uses:`.
  var name: String { get }
  /// Bumped whenever outputs could change for the same inputs.
  var version: Int { get }
  /// Checks the `with:` configuration; returns it normalised (defaults filled in).
  func validate(_ config: ConfigReader) throws(PipelineError) -> Value
  /// How `fairflow reproduce` compares this kind's outputs unless a stage says otherwise.
  var reproducibility: Reproducibility { get }
}

extension StageKind {
  /// Built-in kinds give the same bits for the same inputs and seed on any machine.
  public var reproducibility: Reproducibility { .bitwise }
}

/// The set of built-in stage kinds a run knows.
public struct StageKindRegistry: Sendable {
  public private(set) var kinds: [String: any StageKind] = [:]

  public init(_ kinds: [any StageKind] = []) {
    for kind in kinds { self.kinds[kind.name] = kind }
  }

  public subscript(name: String) -> (any StageKind)? { kinds[name] }
  public var names: [String] { kinds.keys.sorted() }
}

/// Typed, location-aware access to a built-in stage's `with:` mapping.
///
/// Unknown keys are rejected with a "did you mean" hint once the kind has read what it needs
/// (`finish()`), so every kind gets the same strictness as the pipeline grammar.
public struct ConfigReader {
  public let stage: String
  public let location: SourceLocation
  let pairs: [(key: String, value: Value)]
  let makeError: (String, String?) -> PipelineError
  private(set) var read: Set<String> = []

  public init(
    stage: String, config: Value, location: SourceLocation,
    makeError: @escaping (String, String?) -> PipelineError
  ) throws(PipelineError) {
    self.stage = stage
    self.location = location
    self.makeError = makeError
    switch config {
    case .map(let pairs): self.pairs = pairs
    case .null: self.pairs = []
    default: throw makeError("expected a mapping for 'with' of stage '\(stage)'", nil)
    }
  }

  public func error(_ problem: String, hint: String? = nil) -> PipelineError {
    makeError(problem, hint)
  }

  /// The raw value of `key`, or nil when absent.
  public mutating func value(_ key: String) -> Value? {
    read.insert(key)
    return pairs.first { $0.key == key }?.value
  }

  public mutating func string(_ key: String, default fallback: String? = nil) throws(PipelineError)
    -> String
  {
    switch value(key) {
    case .string(let s): return s
    case nil where fallback != nil: return fallback!
    case nil: throw error("'with' of stage '\(stage)' needs '\(key)'")
    case let other?:
      throw error(
        "expected a string for '\(key)' of stage '\(stage)', found \(other.canonicalText)")
    }
  }

  public mutating func int(_ key: String, default fallback: Int? = nil) throws(PipelineError) -> Int
  {
    switch value(key) {
    case .int(let i): return i
    case nil where fallback != nil: return fallback!
    case nil: throw error("'with' of stage '\(stage)' needs '\(key)'")
    case let other?:
      throw error(
        "expected an integer for '\(key)' of stage '\(stage)', found \(other.canonicalText)")
    }
  }

  /// Rejects keys the kind did not read.
  public func finish() throws(PipelineError) {
    for pair in pairs where !read.contains(pair.key) {
      throw error(
        "unknown key '\(pair.key)' in 'with' of stage '\(stage)'",
        hint: Suggestion.hint(for: pair.key, in: read.sorted())
          ?? "valid keys are: \(read.sorted().joined(separator: ", "))")
    }
  }
}
