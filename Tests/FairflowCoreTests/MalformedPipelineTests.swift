import FairflowCore
import Foundation
import Testing

/// The malformed-pipeline corpus: every `NN-name.yaml` in Fixtures/malformed must fail with
/// exactly the text of `NN-name.expected` (file:line:column, the line, a caret, and a hint).
///
/// A case without its golden file fails and prints the actual message, so a human can review
/// it and create the file (or run once with FAIRFLOW_RECORD_GOLDEN=1, then review the diff).
@Suite struct MalformedPipelineTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/malformed")

  static func files(_ suffix: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }.sorted()
  }

  static let cases = files(".yaml")

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

  @Test func everyGoldenFileHasItsPipeline() {
    #expect(Set(Self.files(".expected")).subtracting(Self.cases) == [])
  }

  @Test(arguments: cases)
  func reportsExpectedMessage(_ name: String) throws {
    let actual = try #require(try Self.diagnose(name), "\(name).yaml was accepted")
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

  /// Whatever the golden files say, every message names the file, line and column, and shows
  /// the line with a caret; graph errors (cycles, clashing outputs) too.
  @Test(arguments: cases)
  func messageHasLocationAndCaret(_ name: String) throws {
    let actual = try #require(try Self.diagnose(name))
    let lines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let file = "pipelines/\(name).yaml"
    let location = try #require(
      lines[0].wholeMatch(of: /pipelines\/[^:]+:(\d+):(\d+): error: .+/),
      "no file:line:column in: \(lines[0])")
    #expect(lines[0].hasPrefix(file + ":"))
    #expect(Int(location.output.1)! >= 1 && Int(location.output.2)! >= 1)
    if lines.count > 1, !lines[1].hasPrefix("hint: ") {
      #expect(lines.count >= 3 && lines[2].hasPrefix("    ") && lines[2].hasSuffix("^"))
    }
    if let hint = lines.last(where: { $0.hasPrefix("hint: ") }) {
      #expect(hint.count > "hint: ".count + 5)
    }
  }

  /// `-p` overrides come from the command line, so the message has no location in the file.
  @Test func unknownOverrideNamesTheParameterAndPipeline() throws {
    let spec = try PipelineLoader.load(
      text: "params: {epochs: 3, model: {lr: 0.1}}\nstages:\n  a: {cmd: x, outs: [o]}\n",
      file: "pipelines/train.yaml")
    #expect(
      errorText { _ = try PipelineExpander().expand(spec, overrides: ["epoch=5"]) } == """
        error: unknown parameter 'epoch' in -p epoch=5 (pipeline pipelines/train.yaml)
        hint: did you mean 'epochs'?
        """)
    #expect(
      errorText { _ = try PipelineExpander().expand(spec, overrides: ["model.rl=5"]) } == """
        error: unknown parameter 'model.rl' in -p model.rl=5 (pipeline pipelines/train.yaml)
        hint: did you mean 'model.lr'?
        """)
  }
}
