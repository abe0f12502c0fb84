public import FairflowBase
/// A pipeline whose stages do not form a valid graph.
///
/// Errors found in the pipeline file point at the declaration that breaks the graph (an entry of
/// `outs:`, `metrics:` or `deps:`) and show it like every pipeline error:
/// ```
/// pipelines/x.yaml:7:12: error: output 'out.txt' is declared by more than one stage: 'a', 'b'
///         outs: [out.txt]
///                ^
/// hint: each path is produced by exactly one stage
/// ```
public struct GraphError: FairflowError, Equatable {
  public enum Kind: Sendable, Equatable {
    case cycle([String])
    case duplicateOutput(path: String, stages: [String])
    case overlappingOutputs(outer: String, outerStage: String, inner: String, innerStage: String)
    case unknownStage(String, hint: String?)
    case dependsOnOwnOutput(stage: String, path: String)
  }

  public var kind: Kind
  public var file: String
  /// The declaration at fault; nil for errors about names given on the command line.
  public var location: SourceLocation?
  /// The source line `location` points into (without newline), for the caret display.
  public var sourceLine: String?

  public init(
    _ kind: Kind, file: String, at location: SourceLocation? = nil, sourceLine: String? = nil
  ) {
    self.kind = kind
    self.file = file
    self.location = location
    self.sourceLine = sourceLine
  }

  public var exitStatus: ExitStatus { .invalidInput }

  public var message: String {
    location.map { $0.diagnostic(problem, sourceLine: sourceLine) } ?? "\(file): error: \(problem)"
  }

  /// The message without its place.
  public var problem: String {
    switch kind {
    case .cycle(let path):
      return "the stages form a cycle: \(path.joined(separator: " -> "))"
    case .duplicateOutput(let path, let stages):
      return
        "output '\(path)' is declared by more than one stage: \(stages.map { "'\($0)'" }.joined(separator: ", "))"
    case .overlappingOutputs(let outer, let outerStage, let inner, let innerStage):
      return
        "output '\(inner)' of stage '\(innerStage)' lies inside output '\(outer)' of stage '\(outerStage)'"
    case .unknownStage(let name, _):
      return "no stage named '\(name)'"
    case .dependsOnOwnOutput(let stage, let path):
      return "stage '\(stage)' depends on its own output '\(path)'"
    }
  }

  public var hint: String? {
    switch kind {
    case .cycle: return "a stage cannot depend, directly or through others, on its own outputs"
    case .duplicateOutput: return "each path is produced by exactly one stage"
    case .overlappingOutputs: return "declare the directory or the files inside it, not both"
    case .unknownStage(_, let hint): return hint
    case .dependsOnOwnOutput:
      return
        "a stage that updates a file in place declares it once, under 'outs' with 'persist: true'"
    }
  }
}
