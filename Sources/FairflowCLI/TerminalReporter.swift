internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import Foundation
internal import Synchronization

/// Renders run progress: one line per stage that did something, and on a TTY a status line
/// redrawn in place with what the running stages report (`StageProgress`):
/// `[3/40] train@seed=1: epoch 3/10 · batch 40/80 · loss 0.31 · ETA 42 s · 12.3s`, cut to the
/// terminal's width. When not a TTY, a plain line `… STAGE: PROGRESS` per running stage whose
/// progress changed, at most every `interval` seconds (`FAIRFLOW_PROGRESS_INTERVAL`, default 10).
final class TerminalReporter: RunReporter, @unchecked Sendable {
  struct State {
    /// Running stages and their progress files.
    var running: [(stage: String, progress: String)] = []
    var done = 0
    var total = 0
    var statusShown = false
    /// Plain mode: what was last printed per stage, and when (the first lines come one
    /// interval after the start, so short runs print none).
    var printed: [String: String] = [:]
    var lastPlain = MonotonicClock.now()
  }

  let verbose: Bool
  let start = MonotonicClock.now()
  let interval: Double
  private let state = Mutex(State())

  init(verbose: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.verbose = verbose
    interval =
      environment["FAIRFLOW_PROGRESS_INTERVAL"].flatMap(Double.init).map { max($0, 0.2) }
      ?? 10
  }

  func note(_ text: String) { emit(text) }

  func stageStarted(_ stage: String, log: String) {
    state.withLock { $0.running.append((stage, Runner.progressPath(log: log))) }
    if verbose {
      emit(Console.paint("▶", "34") + " \(stage): running (log \(log))")
    } else {
      redraw()
    }
  }

  func stageFinished(_ stage: String, result: StageResult, done: Int, total: Int) {
    state.withLock {
      $0.running.removeAll { $0.stage == stage }
      $0.printed[stage] = nil
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

  /// Redraws the status line on a terminal; otherwise prints changed progress every `interval`.
  func tick() {
    guard !Console.stdoutIsTTY else { return redraw() }
    let now = MonotonicClock.now()
    let lines: [String] = state.withLock { s in
      guard now - s.lastPlain >= interval - 0.05 else { return [] }
      s.lastPlain = now
      var out: [String] = []
      for (stage, file) in s.running {
        guard let text = StageProgress.read(file), s.printed[stage] != text else { continue }
        s.printed[stage] = text
        out.append("… \(stage): \(text)")
      }
      return out
    }
    for line in lines { Console.out(line + "\n") }
  }

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
      return Self.statusLine(
        done: $0.done, total: $0.total,
        running: $0.running.map { ($0.stage, StageProgress.read($0.progress, limit: 100)) },
        seconds: MonotonicClock.now() - start, width: Console.terminalWidth)
    }
    FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8))
  }

  /// `[3/40] train@seed=1: epoch 3/10 · loss 0.31, evaluate · 12.3s` cut to `width - 1`
  /// characters (a wrapped line could not be redrawn in place).
  static func statusLine(
    done: Int, total: Int, running: [(stage: String, progress: String?)], seconds: Double,
    width: Int
  ) -> String {
    let shown = running.prefix(3).map { entry in
      entry.progress.map { "\(entry.stage): \($0)" } ?? entry.stage
    }
    let names =
      shown.isEmpty ? "-" : shown.joined(separator: ", ") + (running.count > 3 ? ", …" : "")
    let time = " · " + String(format: "%.1fs", seconds)
    // The total is known once the first stage is decided; until then no count is shown.
    let line =
      (total > 0 ? "[\(done)/\(total)] " : "")
      + (running.contains { $0.progress != nil } ? "" : "running: ") + names
    let room = max(width - 1 - time.count, 20)
    return (line.count > room ? String(line.prefix(room - 1)) + "…" : line) + time
  }
}
