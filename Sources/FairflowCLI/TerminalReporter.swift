internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import Foundation
internal import Synchronization

/// Renders run progress: one line per stage that did something, and on a TTY a status line
/// (`[done/total] running: a, b · 12.3s`) redrawn in place. Plain lines when not a TTY.
final class TerminalReporter: RunReporter, @unchecked Sendable {
  struct State {
    var running: [String] = []
    var done = 0
    var total = 0
    var statusShown = false
  }

  let verbose: Bool
  let start = MonotonicClock.now()
  private let state = Mutex(State())

  init(verbose: Bool) { self.verbose = verbose }

  func note(_ text: String) { emit(text) }

  func stageStarted(_ stage: String, log: String) {
    state.withLock { $0.running.append(stage) }
    if verbose {
      emit(Console.paint("▶", "34") + " \(stage): running (log \(log))")
    } else {
      redraw()
    }
  }

  func stageFinished(_ stage: String, result: StageResult, done: Int, total: Int) {
    state.withLock {
      $0.running.removeAll { $0 == stage }
      $0.done = done
      $0.total = total
    }
    switch result {
    case .upToDate: if verbose { emit("= \(stage): up to date") } else { redraw() }
    case .restored(let run, let fromRunCache):
      emit(
        Console.paint("↺", "36") + " \(stage): restored from cache"
          + (fromRunCache ? " (run \(run))" : " (outputs relinked)"))
    case .executed(let seconds):
      emit(Console.paint("✔", "32") + " \(stage): executed in \(String(format: "%.2f", seconds))s")
    case .failed(let reason): emit(Console.paint("✘", "31") + " \(stage): failed (\(reason))")
    case .interrupted: emit(Console.paint("✘", "31") + " \(stage): interrupted")
    case .skipped, .notStarted: break
    }
  }

  /// Redraws the status line (elapsed time) on a terminal.
  func tick() { redraw() }

  func streamed(_ stage: String, _ line: String) { emit("[\(stage)] \(line)") }

  func finish(_ summary: RunSummary) {
    clearStatus()
    let executed = summary.count { if case .executed = $0 { return true } else { return false } }
    let restored = summary.count { if case .restored = $0 { return true } else { return false } }
    let upToDate = summary.count { $0 == .upToDate }
    let skipped = summary.count { $0 == .skipped || $0 == .notStarted }
    var line =
      "\(summary.results.count) stages: \(executed) executed, \(restored) restored, \(upToDate) up to date"
    if !summary.failures.isEmpty { line += ", \(summary.failures.count) failed" }
    if skipped > 0 { line += ", \(skipped) not run" }
    line += String(format: " (%.2fs)", MonotonicClock.now() - start)
    Console.out(line + "\n")
    for failure in summary.failures { Console.standardError("error: " + failure.message + "\n") }
    if let error = summary.recordingError { Console.standardError("error: \(error)\n") }
    if summary.interrupted {
      Console.standardError(
        "interrupted: the cache and lock file are consistent; run again to continue\n")
    }
  }

  private func emit(_ line: String) {
    clearStatus()
    Console.out(line + "\n")
    redraw()
  }

  private func clearStatus() {
    guard Console.stdoutIsTTY else { return }
    state.withLock {
      if $0.statusShown {
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
        $0.statusShown = false
      }
    }
  }

  private func redraw() {
    guard Console.stdoutIsTTY else { return }
    let text: String = state.withLock {
      $0.statusShown = true
      let names = $0.running.prefix(3).joined(separator: ", ") + ($0.running.count > 3 ? ", …" : "")
      return "[\($0.done)/\($0.total)] running: \(names.isEmpty ? "-" : names) · "
        + String(format: "%.1fs", MonotonicClock.now() - start)
    }
    FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8))
  }
}
