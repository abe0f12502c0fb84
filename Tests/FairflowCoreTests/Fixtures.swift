import FairflowCore

/// Loads and expands an inline pipeline (file shown as `pipelines/test.yaml`).
func expand(
  _ text: String, overrides: [String] = [], registry: StageKindRegistry = StageKindRegistry()
) throws -> Pipeline {
  try PipelineExpander(registry: registry).expand(
    try PipelineLoader.load(text: text, file: "pipelines/test.yaml"), overrides: overrides)
}

func graph(_ text: String) throws -> (Pipeline, Graph) {
  let pipeline = try expand(text)
  return (pipeline, try Graph(pipeline))
}

extension Pipeline {
  func stage(_ name: String) -> Stage { stages.first { $0.name == name }! }
}
