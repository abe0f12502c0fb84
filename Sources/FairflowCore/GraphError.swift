/// A pipeline whose stages do not form a valid graph.
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

  public init(_ kind: Kind, file: String) {
    self.kind = kind
    self.file = file
  }

  public var exitStatus: ExitStatus { .invalidInput }

  public var message: String {
    switch kind {
    case .cycle(let path):
      return "\(file): error: the stages form a cycle: \(path.joined(separator: " -> "))"
    case .duplicateOutput(let path, let stages):
      return
        "\(file): error: output '\(path)' is declared by more than one stage: \(stages.map { "'\($0)'" }.joined(separator: ", "))"
    case .overlappingOutputs(let outer, let outerStage, let inner, let innerStage):
      return
        "\(file): error: output '\(inner)' of stage '\(innerStage)' lies inside output '\(outer)' of stage '\(outerStage)'"
    case .unknownStage(let name, _):
      return "\(file): error: no stage named '\(name)'"
    case .dependsOnOwnOutput(let stage, let path):
      return "\(file): error: stage '\(stage)' depends on its own output '\(path)'"
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
