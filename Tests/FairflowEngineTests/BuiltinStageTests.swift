import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting
import Foundation
import Testing

/// A minimal built-in kind: writes `text` (repeated `times`) to its single output.
struct RepeatText: BuiltinStage {
  let name = "repeat-text"
  let version = 2

  func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let text = try reader.string("text")
    let times = try reader.int("times", default: 1)
    try reader.finish()
    return .map([("text", .string(text)), ("times", .int(times))])
  }

  func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let text = String(repeating: config["text"]!.stringValue!, count: config["times"]!.intValue!)
    try FileIO.writeAtomically(text, to: workspace.root + "/" + stage.outputs[0].path)
  }
}

@Suite struct BuiltinStageTests {
  static let registry = StageKindRegistry([RepeatText()])

  @Test func builtinConfigIsValidatedTypedAndRuns() async throws {
    let ws = try TemporaryWorkspace("builtin")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/p.yaml",
      """
      params: {n: 3}
      stages:
        hello:
          uses: repeat-text
          with: {text: "ab", times: "${params.n}"}
          outs: [hello.txt]
      """)
    let loaded = try LoadedPipeline.load(
      ws.path("pipelines/p.yaml"), in: Workspace(root: ws.root), registry: Self.registry)
    let stage = loaded.pipeline.stages[0]
    #expect(
      stage.action
        == .builtin(
          kind: "repeat-text", version: 2,
          config: .map([("text", .string("ab")), ("times", .int(3))])))
    #expect(stage.params.map(\.name) == ["n"])
    #expect(
      Fingerprint.encoding(of: stage, dependencyDigests: [:]).contains("builtin 11:repeat-text 2 "))
    try await loaded.executeBuiltin("hello", registry: Self.registry)
    #expect(try ws.read("hello.txt") == "ababab")
  }

  @Test func unknownConfigKeyIsAnErrorWithSuggestion() throws {
    let ws = try TemporaryWorkspace("builtin-bad")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/p.yaml",
      """
      stages:
        hello:
          uses: repeat-text
          with: {text: "ab", tims: 2}
          outs: [hello.txt]
      """)
    do {
      _ = try LoadedPipeline.load(
        ws.path("pipelines/p.yaml"), in: Workspace(root: ws.root), registry: Self.registry)
      Issue.record("expected an error")
    } catch let error as PipelineError {
      #expect(
        error.description == """
          pipelines/p.yaml:4:11: error: unknown key 'tims' in 'with' of stage 'hello'
                  with: {text: "ab", tims: 2}
                        ^
          hint: did you mean 'times'?
          """)
    }
  }
}
