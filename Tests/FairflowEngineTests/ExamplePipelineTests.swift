import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting
import Foundation
import Testing

/// The README's first command runs `pipelines/example.yaml`; this keeps it working.
@Suite struct ExamplePipelineTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  @Test func examplePipelineRunsAndIsThenUpToDate() async throws {
    let h = try EngineHarness(
      "example",
      pipeline: try String(
        contentsOf: Self.repository.appendingPathComponent("pipelines/example.yaml"),
        encoding: .utf8))
    defer { h.ws.destroy() }
    for script in ["make_data.py", "fit.py"] {
      try h.ws.write(
        "stages/\(script)",
        try String(
          contentsOf: Self.repository.appendingPathComponent("stages/\(script)"), encoding: .utf8))
    }
    let first = try await h.run()
    #expect(first.failures.isEmpty, "\(first.failures.map(\.message))")
    #expect(first.executed.count == 7)
    let metrics = try h.ws.read("metrics/fit-1.json")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(metrics.utf8)) as? [String: Any])
    #expect(object["n"] as? Int == 2000)
    #expect(try h.ws.read("report/models.txt") == "line-1.json\nline-2.json\nline-3.json\n")
    let second = try await h.run()
    #expect(second.results.allSatisfy { $0.result == .upToDate })
    // Metrics are recorded in the lock file.
    #expect(
      try h.ws.read("pipelines/main.lock").contains("metrics: {\"metrics/fit-1.json\":{\"mse\":"))
  }
}
