import FairflowCore
import Testing

/// The file name inline fixtures are reported under.
let testFile = "pipelines/test.yaml"

/// Loads an inline pipeline (file shown as `pipelines/test.yaml`).
func load(_ text: String) throws -> PipelineSpec {
  try PipelineLoader.load(text: text, file: testFile)
}

/// Loads and expands an inline pipeline.
func expand(
  _ text: String, overrides: [String] = [], registry: StageKindRegistry = StageKindRegistry()
) throws -> Pipeline {
  try PipelineExpander(registry: registry).expand(try load(text), overrides: overrides)
}

/// Loads, expands and builds the graph of an inline pipeline.
func graph(_ text: String) throws -> (Pipeline, Graph) {
  let pipeline = try expand(text)
  return (pipeline, try Graph(pipeline))
}

/// The full rendered text of the error `body` throws, or nil (recorded as an issue) if it
/// does not throw.
func errorText(
  sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> String? {
  do {
    try body()
  } catch {
    return String(describing: error)
  }
  Issue.record("expected an error", sourceLocation: sourceLocation)
  return nil
}

extension Pipeline {
  /// The concrete stage called `name`; a missing stage fails the test instead of crashing it.
  func stage(
    _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) throws -> Stage {
    try #require(
      stages.first { $0.name == name }, "no stage named \(name)", sourceLocation: sourceLocation)
  }

  /// Names of the stages at `indices`.
  func names(_ indices: some Sequence<Int>) -> [String] { indices.map { stages[$0].name } }
}
