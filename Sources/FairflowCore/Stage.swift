/// What a stage does: a shell command or a built-in kind with its validated configuration.
public enum StageAction: Sendable, Hashable {
  case command(String)
  case builtin(kind: String, version: Int, config: Value)
}

/// A declared output path of a concrete stage.
public struct Output: Sendable, Hashable {
  public var path: String
  /// Stored in the object store and restorable; false for `cache: false`.
  public var cache: Bool
  /// Kept (not deleted) before the stage runs.
  public var persist: Bool
  /// Declared under `metrics:` (a JSON file whose numbers are recorded in the lock file).
  public var isMetric: Bool

  public init(path: String, cache: Bool = true, persist: Bool = false, isMetric: Bool = false) {
    self.path = path
    self.cache = cache
    self.persist = persist
    self.isMetric = isMetric
  }
}

/// A concrete stage after parameter substitution and matrix expansion (`train@seed=3`).
public struct Stage: Sendable {
  public var name: String
  /// The name as declared, before matrix expansion.
  public var template: String
  public var location: SourceLocation
  public var action: StageAction
  /// Normalised workspace-relative dependency paths, in declared order, without duplicates.
  public var deps: [String]
  public var outputs: [Output]
  /// The parameters this stage uses (through `${params.x}` or `params:`), sorted by name.
  public var params: [(name: String, value: Value)]
  /// Environment variables set for the stage (pipeline `env:` overridden by stage `env:`), sorted.
  public var env: [(name: String, value: String)]
  public var resources: Resources
  public var alwaysRun: Bool
  /// This stage's matrix coordinates, in declaration order.
  public var matrix: [(key: String, value: Value)]
  public var description: String?

  /// The command as shown to users (built-ins as `uses: kind`).
  public var displayCommand: String {
    switch action {
    case .command(let cmd): return cmd
    case .builtin(let kind, _, _): return "uses: \(kind)"
    }
  }

  /// True when the run cache may restore this stage (DVC's rule: every output cached, none persistent).
  public var isRestorable: Bool {
    !alwaysRun && outputs.allSatisfy { $0.cache && !$0.persist }
  }
}

/// An expanded, validated pipeline: concrete stages in declaration order.
public struct Pipeline: Sendable {
  public var file: String
  public var name: String
  public var description: String?
  public var params: [(key: String, value: Value)]
  public var stages: [Stage]

  public func index(of name: String) -> Int? { stages.firstIndex { $0.name == name } }
}
