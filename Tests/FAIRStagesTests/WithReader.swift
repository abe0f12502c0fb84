import FairflowBase
import FairflowCore

/// Validates a JSON `with:` through a kind's `validate` (what the loader does), for a stage
/// named after the kind; located at line 5, column 11.
func validate(_ json: String, with kind: any StageKind) throws -> Value {
  let location = SourceLocation(file: "pipelines/p.yaml", line: 5, column: 11)
  let reader = try ConfigReader(
    stage: kind.name, config: ValueParser.parse(json, file: "with"), location: location
  ) { PipelineError($0, at: location, hint: $1) }
  return try kind.validate(reader)
}

/// The load-time error of a JSON `with:` (nil when it validates).
func validationError(_ json: String, with kind: any StageKind) -> PipelineError? {
  do {
    _ = try validate(json, with: kind)
    return nil
  } catch let error as PipelineError {
    return error
  } catch {
    return PipelineError("not a PipelineError: \(error)")
  }
}
