import FairflowCore
import FairflowEngine
import FairflowStages
import Testing

/// The registry holds every built-in kind once, each runnable, under the names the docs use.
@Suite struct RegistryTests {
  @Test func everyKindIsRegisteredAndRunnable() {
    let registry = BuiltinStages.registry
    #expect(
      registry.names == [
        "aggregate", "compare", "consistency", "convert", "evaluate", "export", "fetch", "generate",
        "import", "interpret", "publish", "train",
      ])
    for name in registry.names {
      #expect(registry[name] is any BuiltinStage, "\(name) has no run function")
      #expect((registry[name]?.version ?? 0) >= 1)
    }
  }
}
