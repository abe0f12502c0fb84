import FairflowTesting
import Foundation
import Testing

/// Every shipped pipeline parses, expands and forms a valid graph (`fairflow validate`),
/// including the faithful ones that need the network and hours to run.
@Suite struct PipelinesValidateTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  @Test func everyShippedPipelineValidates() throws {
    let ws = try TemporaryWorkspace("pipelines-validate")
    defer { ws.destroy() }
    let manager = FileManager.default
    let names = try manager.contentsOfDirectory(
      atPath: Self.repository.appendingPathComponent("pipelines").path
    ).filter { $0.hasSuffix(".yaml") }.sorted()
    for required in [
      "hbb-quick.yaml", "hbb-interaction-network.yaml", "braggnn.yaml", "braggnn-quick.yaml",
    ] {
      #expect(names.contains(required), "pipelines/\(required) is missing")
    }
    // The pipelines with the scripts their command stages name (validate reads no data).
    for directory in ["pipelines", "stages"] {
      let source = Self.repository.appendingPathComponent(directory).path
      guard manager.fileExists(atPath: source) else { continue }
      for name in try manager.contentsOfDirectory(atPath: source)
      where name.hasSuffix(".yaml") || name.hasSuffix(".py") {
        try ws.write(
          "\(directory)/\(name)", try String(contentsOfFile: source + "/" + name, encoding: .utf8))
      }
    }
    for name in names {
      let pipeline = String(name.dropLast(".yaml".count))
      let result = try CLIProcess.run(["validate", pipeline], in: ws.root)
      #expect(result.status == 0, "\(name): \(result.stdout)\(result.stderr)")
    }
  }
}
