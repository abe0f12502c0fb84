public import FairflowBase
/// A value with the place in the pipeline file it came from.
public struct Located<T: Sendable>: Sendable {
  public var value: T
  public var location: SourceLocation
  public init(_ value: T, at location: SourceLocation) {
    self.value = value
    self.location = location
  }
}

extension Located: Equatable where T: Equatable {}

/// A pipeline file as written, before parameter substitution and matrix expansion.
public struct PipelineSpec: Sendable {
  public var file: String
  public var name: String
  public var description: String?
  public var params: [(key: String, value: Value)]
  public var paramLocations: [String: SourceLocation]
  public var env: [(key: Located<String>, value: Located<String>)]
  /// The `slurm:` section: where and how Slurm stages are submitted.
  public var slurm = SlurmSettings()
  public var stages: [StageSpec]
  /// Every line of the file, for caret diagnostics raised after loading.
  public var sourceLines: [Substring]

  /// The source line a location points into.
  public func line(at location: SourceLocation) -> String? {
    let index = location.line - 1
    return sourceLines.indices.contains(index) ? String(sourceLines[index]) : nil
  }

  /// An error at `location` with its source line attached.
  public func error(_ problem: String, at location: SourceLocation, hint: String? = nil)
    -> PipelineError
  {
    PipelineError(problem, at: location, hint: hint, sourceLine: line(at: location))
  }
}

/// One declared output of a stage.
public struct OutputSpec: Sendable {
  public var path: Located<String>
  /// Stored in the object store (restorable); `cache: false` outputs are only hashed.
  public var cache: Bool
  /// Not deleted before the stage runs.
  public var persist: Bool
}

/// Resources a stage asks the scheduler for.
public struct Resources: Sendable, Hashable {
  public var cpus: Int
  public var memoryBytes: Int?
  public var gpus: Int
  /// Wall-clock limit in seconds (`time:`); Slurm's `--time`. The local executor does not enforce it.
  public var timeSeconds: Int?
  public init(cpus: Int = 1, memoryBytes: Int? = nil, gpus: Int = 0, timeSeconds: Int? = nil) {
    self.cpus = cpus
    self.memoryBytes = memoryBytes
    self.gpus = gpus
    self.timeSeconds = timeSeconds
  }
}

/// A stage as written: strings still contain `${...}` and `matrix:` is not expanded.
public struct StageSpec: Sendable {
  public var name: Located<String>
  public var cmd: Located<String>?
  public var uses: Located<String>?
  public var with: Located<Value>?
  public var deps: [Located<String>]
  public var outs: [OutputSpec]
  public var metrics: [OutputSpec]
  public var params: [Located<String>]
  public var env: [(key: Located<String>, value: Located<String>)]
  public var resources: Resources
  public var alwaysRun: Bool
  public var matrix: Located<[(key: String, values: [Value])]>?
  public var description: String?
  /// `executor: local|slurm`; nil runs the stage with the run's executor (`--executor`).
  public var executor: ExecutorKind? = nil
  /// `deterministic:` and `tolerance:`; nil takes the kind's (built-ins) or bitwise.
  public var reproducibility: Reproducibility? = nil
}
