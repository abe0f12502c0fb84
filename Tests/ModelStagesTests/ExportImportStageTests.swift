import FairflowBase
import FairflowCore
import FairflowTesting
import Testing

@testable import ModelStages

/// `uses: export` and `uses: import`: their configurations (messages naming the stage) and a
/// trained model exported to ONNX and imported back from its safetensors.
@Suite struct ExportImportStageTests {
  @Test(arguments: [
    (#"{"output": "m.onnx"}"#, "'with' of stage 's' needs 'model'"),
    (#"{"model": "m"}"#, "'with' of stage 's' needs 'output'"),
    (#"{"model": 3, "output": "m.onnx"}"#, "expected a string for 'model' of stage 's', found 3"),
    (#"{"model": "m", "output": "m.onnx", "format": "tflite"}"#, "'format' must be onnx"),
    (#"{"model": "m", "output": "m.onnx", "softmax": "yes"}"#, "'softmax' must be true or false"),
    (
      #"{"model": "m", "output": "m.onnx", "softmx": true}"#,
      "unknown key 'softmx' in 'with' of stage 's'"
    ),
  ])
  func invalidExport(_ with: String, _ problem: String) throws {
    #expect(try ModelFixtures.problem(ExportStage(), with) == problem)
  }

  @Test func exportMessagesNameTheStage() throws {
    let e = try #require(
      try ModelFixtures.failure(
        ExportStage(), #"{"model": "m", "softmx": true}"#, stage: "export-1"))
    #expect(e.problem == "'with' of stage 'export-1' needs 'output'", "checks before unknown keys")
    let unknown = try #require(
      try ModelFixtures.failure(
        ExportStage(), #"{"model": "m", "output": "o", "softmx": true}"#, stage: "export-1"))
    #expect(unknown.problem == "unknown key 'softmx' in 'with' of stage 'export-1'")
    #expect(unknown.hint == "did you mean 'softmax'?")
  }

  @Test func exportNormalForm() throws {
    #expect(
      try ModelFixtures.normalised(ExportStage(), #"{"model": "m", "output": "m.onnx"}"#)
        == .map([
          ("model", .string("m")), ("format", .string("onnx")), ("output", .string("m.onnx")),
          ("softmax", .bool(false)),
        ]))
  }

  @Test(arguments: [
    (#"{"arch": "braggnn", "output": "o"}"#, "'with' of stage 's' needs 'source'"),
    (#"{"source": "m.pth", "arch": "resnet", "output": "o"}"#, "unknown arch 'resnet'"),
    (
      #"{"source": "m.pth", "arch": "braggnn", "output": "o", "tracks": 1.5}"#,
      "expected an integer for 'tracks' of stage 's', found 1.5"
    ),
    (
      #"{"source": "m.pth", "arch": "braggnn", "output": "o", "doi": 10}"#, "'doi' must be a string"
    ),
    (
      #"{"source": "m.pth", "arch": "braggnn", "output": "o", "url": true}"#,
      "'url' must be a string"
    ),
  ])
  func invalidImport(_ with: String, _ problem: String) throws {
    #expect(try ModelFixtures.problem(ImportStage(), with) == problem)
  }

  @Test func importNormalForm() throws {
    let hint = try ModelFixtures.failure(
      ImportStage(), #"{"source": "m.pth", "arch": "resnet", "output": "o"}"#)?.hint
    #expect(hint == "available: interaction-network, braggnn")
    #expect(
      try ModelFixtures.normalised(
        ImportStage(), #"{"source": "m.pth", "arch": "braggnn", "output": "o", "url": "https://x"}"#
      )
        == .map([
          ("source", .string("m.pth")), ("arch", .string("braggnn")), ("output", .string("o")),
          ("tracks", .int(60)), ("vertices", .int(5)), ("url", .string("https://x")),
        ]))
  }

  @Test func trainedModelExportsToONNXAndImportsBack() async throws {
    let ws = try TemporaryWorkspace("export-import")
    defer { ws.destroy() }
    try ModelFixtures.writeJetSplits(ws)
    try await ModelFixtures.run(
      ModelFixtures.trainStage() + """
          export:
            uses: export
            outs: [models/in.onnx]
            with: {model: models/in, output: models/in.onnx, softmax: true}
          import:
            uses: import
            outs: [models/imported]
            with: {source: models/in.onnx, arch: interaction-network,
                   output: models/imported, tracks: 3, vertices: 2, doi: 10.1234/x}

        """, ["train", "export", "import"], in: ws)
    let weights = try ws.readBytes("models/in/model.safetensors")
    let onnx = try ws.readBytes("models/in.onnx")
    #expect(onnx.count > 1000)
    let sha = Digest.of(weights).hex
    #expect(String(decoding: onnx, as: UTF8.self).contains(sha), "the weights' digest is recorded")
    let imported = try ws.read("models/imported/model.json")
    #expect(imported.contains(Digest.of(onnx).hex) && imported.contains("10.1234/x"))
    // The imported model is the trained one's architecture, parameter for parameter.
    let trained = try ModelFixtures.json(ws, "models/in/model.json")
    let back = try ModelFixtures.json(ws, "models/imported/model.json")
    #expect(back["configuration"] == trained["configuration"])
    #expect(back["parameters"] == trained["parameters"])
  }
}
