import FairflowCore
import Foundation
import Testing

/// The malformed-pipeline corpus: every file in Fixtures/malformed must fail with exactly the
/// message in its `.expected` golden file (file:line:column, the line, a caret, and a hint).
/// To record a new case, run with FAIRFLOW_RECORD_GOLDEN=1 and review the written file.
@Suite struct MalformedPipelineTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/malformed")

  static let cases: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
  }()

  /// Loads, expands and builds the graph, returning the first error's full text.
  static func diagnose(_ name: String) throws -> String? {
    let text = try String(
      contentsOf: directory.appendingPathComponent(name + ".yaml"), encoding: .utf8)
    do {
      let spec = try PipelineLoader.load(text: text, file: "pipelines/\(name).yaml")
      _ = try Graph(try PipelineExpander().expand(spec))
      return nil
    } catch {
      return String(describing: error)
    }
  }

  @Test func corpusHasAtLeastTwentyFiveCases() {
    #expect(Self.cases.count >= 25)
  }

  @Test(arguments: cases)
  func reportsExpectedMessage(_ name: String) throws {
    let actual = try #require(try Self.diagnose(name), "\(name) was accepted")
    let golden = Self.directory.appendingPathComponent(name + ".expected")
    if ProcessInfo.processInfo.environment["FAIRFLOW_RECORD_GOLDEN"] == "1" {
      try Data((actual + "\n").utf8).write(to: golden)
      return
    }
    guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
      Issue.record("missing golden file \(name).expected; actual message:\n\(actual)")
      return
    }
    #expect(actual + "\n" == expected)
  }
}
