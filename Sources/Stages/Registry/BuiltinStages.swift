public import FairflowCore
internal import DataStages
internal import FAIRStages
internal import ModelStages

/// The built-in stage kinds of this build (`uses: KIND`), registered where they are
/// implemented; the command line loads every pipeline with this registry.
public enum BuiltinStages {
  public static let registry = StageKindRegistry([
    ConvertStage(), TrainStage(), ExportStage(), ImportStage(), EvaluateStage(), InterpretStage(),
    GenerateStage(), FetchStage(), PublishStage(), AggregateStage(), CompareStage(),
    ConsistencyStage(),
  ])
}
