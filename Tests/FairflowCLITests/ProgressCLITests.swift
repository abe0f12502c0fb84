import Foundation
import FairflowTesting
import Testing

/// The run's progress display: a stage's `$FAIRFLOW_PROGRESS` line in the status line on a
/// terminal (a pseudo-terminal made by util-linux `script`), as periodic plain lines otherwise,
/// and NO_COLOR.
@Suite struct ProgressCLITests {
  static let pipeline = """
    stages:
      slow:
        cmd: for i in 1 2 3; do echo "step $i/3 · warming up" > "$FAIRFLOW_PROGRESS"; sleep 1; done; touch out.txt
        outs: [out.txt]
    """

  func workspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/main.yaml", Self.pipeline)
    return ws
  }

  /// `fairflow ARGUMENTS` on a pseudo-terminal; what the terminal received.
  func onTerminal(_ arguments: String, in ws: TemporaryWorkspace, environment: [String: String])
    throws -> String
  {
    let out = try Shell.run(
      ["script", "-q", "-e", "-f", "-c", "\(CLIProcess.binary) \(arguments)", "/dev/null"],
      in: ws.root,
      environment: environment.merging(["TERM": "xterm", "COLUMNS": "100"]) { a, _ in a })
    #expect(out.status == 0, "\(out.stdout)\n\(out.stderr)")
    return out.stdout
  }

  @Test func aTerminalShowsTheStagesProgressInTheStatusLine() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
      Issue.record("util-linux `script` is needed for the pseudo-terminal test")
      return
    }
    let ws = try workspace("progress-tty")
    defer { ws.destroy() }
    let screen = try onTerminal("run", in: ws, environment: ["NO_COLOR": ""])
    // The status line is redrawn in place ("\r" + erase line) with the stage's own words.
    #expect(
      screen.contains("\r\u{1B}[Kslow: step 2/3 · warming up · "), "\(screen.debugDescription)")
    #expect(screen.contains("\u{1B}[32m✔\u{1B}[0m slow: executed"), "colour on a terminal")

    // Status lines stay within the terminal's width, so a redraw never wraps.
    let long = "long step 1/3 " + String(repeating: "x", count: 300)
    try ws.write(
      "pipelines/main.yaml",
      Self.pipeline.replacingOccurrences(of: "step $i/3 · warming up", with: long))
    let wide = try onTerminal("run", in: ws, environment: ["NO_COLOR": ""])
    let status = wide.components(separatedBy: "\r\u{1B}[K").filter { $0.hasPrefix("slow: ") }
    #expect(!status.isEmpty, "\(wide.debugDescription)")
    for line in status { #expect(line.count < 100, "\(line.debugDescription)") }

    try ws.write(
      "pipelines/main.yaml", Self.pipeline.replacingOccurrences(of: "1 2 3", with: "1 2"))
    let plain = try onTerminal("run", in: ws, environment: ["NO_COLOR": "1"])
    #expect(plain.contains("slow: executed"), "\(plain.debugDescription)")
    #expect(!plain.contains("\u{1B}[32m"), "NO_COLOR: no colour codes")
  }

  @Test func withoutATerminalProgressComesAsPeriodicLines() throws {
    let ws = try workspace("progress-plain")
    defer { ws.destroy() }
    let run = try CLIProcess.run(
      ["run"], in: ws.root, environment: ["FAIRFLOW_PROGRESS_INTERVAL": "0.5"])
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").filter { $0.hasPrefix("… slow: step ") }
    #expect(lines.count >= 2, "\(run.stdout)")
    #expect(Set(lines).count == lines.count, "a line only when the progress changed")
    #expect(!run.stdout.contains("\u{1B}"), "no escape sequences in a pipe")
    // The last progress line stays beside the stage's log.
    let logs = ws.path("cache/logs")
    let runs = try FileManager.default.contentsOfDirectory(atPath: logs)
    let progress = try String(
      contentsOfFile: logs + "/" + runs[0] + "/slow.progress", encoding: .utf8)
    #expect(progress == "step 3/3 · warming up\n")
  }
}
