import FairflowTesting
import Foundation
import Testing

/// `fairflow check --junit --markdown`: the reports CI systems read, on a pipeline whose metrics
/// files are written by hand (gates only read files, so nothing has to run). The JUnit file is
/// read back by an independent parser (junitparser) and validated against the junit-10 rules
/// (`Peers/junit_peer.py`, `Peers/junit_gates.xsd`); `metrics diff` prints a table.
@Suite struct CheckReportCLITests {
  static let pipeline = #"""
    stages:
      evaluate:
        uses: evaluate
        deps: [models/in, features/test.h5]
        metrics: [metrics/evaluate.json]
        with:
          model: models/in
          data: features/test.h5
          output: metrics/evaluate.json
          gates: {auc: {min: 0.9, max_drop: 0.005}, accuracy: {min: 0.8}, "f1 <&\"'>": {min: 0.5}}
          baseline: baseline.json
      evaluate-b:
        uses: evaluate
        deps: [models/in, features/test.h5]
        metrics: [metrics/b.json]
        with:
          model: models/in
          data: features/test.h5
          output: metrics/b.json
          gates: {auc: {min: 0.9}}
    """#

  static let peer = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Peers/junit_peer.py").path

  /// A workspace whose gates all pass.
  static func workspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/gates.yaml", pipeline)
    try ws.write("baseline.json", #"{"auc": 0.9537, "accuracy": 0.85}"#)
    try ws.write("metrics/evaluate.json", #"{"auc": 0.9537, "accuracy": 0.9, "f1 <&\"'>": 0.7}"#)
    try ws.write("metrics/b.json", #"{"auc": 0.95}"#)
    return ws
  }

  /// The JUnit file as junitparser reads it, after the peer's count and schema checks; nil
  /// (the check skipped) without the Python peers.
  static func readJUnit(_ path: String, in directory: String) throws -> [String: Any]? {
    guard let python = PythonPeer.interpreter,
      try Shell.run([python, "-c", "import junitparser"], in: directory).status == 0
    else {
      if PythonPeer.required { Issue.record("no junitparser in the Python peer venv") }
      return nil
    }
    let read = try Shell.run([python, peer, path], in: directory)
    #expect(read.status == 0, "\(read.stderr)")
    return try JSONSerialization.jsonObject(with: Data(read.stdout.utf8)) as? [String: Any]
  }

  /// (name, result, message) of every case.
  static func cases(_ junit: [String: Any]) -> [[String]] {
    (junit["cases"] as? [[String: Any]] ?? []).map { c in
      ["classname", "name", "result", "message"].map { c[$0] as? String ?? "-" }
    }
  }

  @Test func passingGatesWriteAGreenSummaryAndAReportWithoutFailures() throws {
    let ws = try Self.workspace("check-pass")
    defer { ws.destroy() }
    let check = try CLIProcess.run(
      ["check", "--junit", "gates.xml", "--markdown", "summary.md"], in: ws.root)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.hasPrefix("stage       metric    baseline   value  change  allowed"))
    #expect(
      try ws.read("summary.md") == #"""
        ### ✅ fairflow check: 4 gates passed, 0 failed

        | stage | metric | baseline | value | change | allowed | verdict |
        |---|---|--:|--:|--:|---|---|
        | evaluate | auc | 0.9537 | 0.9537 | 0 | ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005) | ✅ ok |
        | evaluate | accuracy | 0.85 | 0.9 | +0.05 | ≥ 0.8 | ✅ ok |
        | evaluate | f1 \<\&"'\> | – | 0.7 | – | ≥ 0.5 | ✅ ok |
        | evaluate-b | auc | – | 0.95 | – | ≥ 0.9 | ✅ ok |

        Baselines: evaluate: baseline.json; evaluate-b: no baseline.

        """#)
    guard let junit = try Self.readJUnit(ws.path("gates.xml"), in: ws.root) else { return }
    #expect(junit["tests"] as? Int == 4)
    #expect(junit["failures"] as? Int == 0 && junit["errors"] as? Int == 0)
    #expect(
      Self.cases(junit) == [
        ["evaluate", "auc (min 0.9, max_drop 0.005)", "passed", "-"],
        ["evaluate", "accuracy (min 0.8)", "passed", "-"],
        ["evaluate", #"f1 <&"'> (min 0.5)"#, "passed", "-"],
        ["evaluate-b", "auc (min 0.9)", "passed", "-"],
      ])
  }

  @Test func aRegressionAndAMissingFileAreAFailureAndAnErrorThatJUnitParserReads() throws {
    let ws = try Self.workspace("check-fail")
    defer { ws.destroy() }
    try ws.write(
      "metrics/evaluate.json", #"{"auc": 0.9437002309, "accuracy": 0.9, "f1 <&\"'>": 0.7}"#)
    try ws.remove("metrics/b.json")
    let check = try CLIProcess.run(
      ["check", "--json", "--junit", "out/gates.xml", "--markdown", "summary.md"], in: ws.root)
    #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]
    #expect(json?["passed"] as? Bool == false)
    let summary = try ws.read("summary.md")
    #expect(summary.hasPrefix("### ❌ fairflow check: 2 gates passed, 2 failed (1 missing)\n"))
    #expect(
      summary.contains(
        "| evaluate | auc | 0.9537 | 0.9437 | -0.01 | ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005) | ❌ FAIL |"))
    #expect(
      summary.contains(
        "| evaluate-b | auc | – | – | – | ≥ 0.9 | ❌ MISSING: metrics file metrics/b.json does not exist (has stage 'evaluate-b' run?) |"
      ))
    guard let junit = try Self.readJUnit(ws.path("out/gates.xml"), in: ws.root) else { return }
    #expect(junit["tests"] as? Int == 4)
    #expect(junit["failures"] as? Int == 1 && junit["errors"] as? Int == 1)
    #expect(
      Self.cases(junit) == [
        [
          "evaluate", "auc (min 0.9, max_drop 0.005)", "failure",
          "auc = 0.9437, allowed ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005); baseline 0.9537 (baseline.json)",
        ],
        ["evaluate", "accuracy (min 0.8)", "passed", "-"],
        ["evaluate", #"f1 <&"'> (min 0.5)"#, "passed", "-"],
        [
          "evaluate-b", "auc (min 0.9)", "error",
          "metrics file metrics/b.json does not exist (has stage 'evaluate-b' run?)",
        ],
      ])
    let failure = (junit["cases"] as? [[String: Any]])?.first?["text"] as? String
    #expect(
      failure == """
        value     0.9437 (metrics/evaluate.json)
        allowed   ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005)
        baseline  0.9537 (baseline.json)
        change    -0.01
        """)
  }

  @Test func withRevTheReportsNameTheRevisionAndMetricsDiffPrintsATable() throws {
    let ws = try Self.workspace("check-rev")
    defer { ws.destroy() }
    try ws.initGitRepository()
    try ws.write(
      "metrics/evaluate.json", #"{"auc": 0.9437002309, "accuracy": 0.9, "f1 <&\"'>": 0.75}"#)
    let check = try CLIProcess.run(
      ["check", "--rev", "HEAD", "--junit", "gates.xml", "--markdown", "summary.md"], in: ws.root)
    #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
    #expect(try ws.read("summary.md").contains("evaluate: metrics/evaluate.json at HEAD;"))
    #expect(
      try ws.read("gates.xml").contains(
        #"message="auc = 0.9437, allowed ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005); baseline 0.9537 (metrics/evaluate.json at HEAD)""#
      ))
    let diff = try CLIProcess.run(["metrics", "diff", "--rev", "HEAD"], in: ws.root)
    #expect(diff.status == 0, "\(diff.stderr)")
    #expect(
      diff.stdout == """
        file                   metric      HEAD     now           change
        metrics/evaluate.json  accuracy     0.9     0.9                0
        metrics/evaluate.json  auc       0.9537  0.9437  -0.01 (-1.049%)
        metrics/evaluate.json  f1 <&"'>     0.7    0.75  +0.05 (+7.143%)
        metrics/b.json         auc         0.95    0.95                0

        """)
    let json = try CLIProcess.run(["metrics", "diff", "--rev", "HEAD", "--json"], in: ws.root)
    #expect(json.stdout.contains("\"new\": 0.9437002309"), "\(json.stdout)")
  }

  @Test func unwritableOrConflictingReportPathsExitTwoWithAMessage() throws {
    let ws = try Self.workspace("check-paths")
    defer { ws.destroy() }
    let empty = try CLIProcess.run(["check", "--markdown", ""], in: ws.root)
    #expect(empty.status == 2)
    #expect(empty.stderr.contains("--markdown needs a file name (is the variable you passed set?)"))
    let same = try CLIProcess.run(["check", "--junit", "a", "--markdown", "a"], in: ws.root)
    #expect(same.status == 2)
    #expect(same.stderr.contains("--junit and --markdown name the same file 'a'"))
    try ws.write("out/keep", "")
    let directory = try CLIProcess.run(["check", "--junit", "out"], in: ws.root)
    #expect(directory.status == 2)
    #expect(directory.stderr == "error: cannot write --junit out: it is a directory\n")
    let badRev = try CLIProcess.run(["check", "--rev", "nope", "--junit", "g.xml"], in: ws.root)
    #expect(badRev.status == 2 && !ws.exists("g.xml"))
    // A device or a link is appended to, not replaced: the summary follows the table on
    // standard output, and a linked file keeps what it had.
    let stdout = try CLIProcess.run(["check", "--markdown", "/dev/stdout"], in: ws.root)
    #expect(stdout.status == 0)
    #expect(stdout.stdout.hasPrefix("stage  "))
    #expect(
      stdout.stdout.hasSuffix("Baselines: evaluate: baseline.json; evaluate-b: no baseline.\n"))
    try ws.write("summary.md", "earlier step\n")
    try FileManager.default.createSymbolicLink(
      atPath: ws.path("link.md"), withDestinationPath: "summary.md")
    #expect(try CLIProcess.run(["check", "--markdown", "link.md"], in: ws.root).status == 0)
    #expect(try ws.read("summary.md").hasPrefix("earlier step\n### ✅ fairflow check: 4 gates"))
    let link = try FileManager.default.attributesOfItem(atPath: ws.path("link.md"))
    #expect(link[.type] as? FileAttributeType == .typeSymbolicLink)
  }
}
