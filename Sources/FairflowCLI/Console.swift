internal import FairflowBase
internal import FairflowCore
internal import Foundation

/// Terminal output: errors to stderr, colour only on a TTY without NO_COLOR (no-color.org: a
/// NO_COLOR that is set and not empty turns colour off).
enum Console {
  static let stdoutIsTTY = isatty(1) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
  static let colour =
    stdoutIsTTY && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty

  /// Columns of the terminal on stdout (`COLUMNS`, else the tty's size, else 100).
  static var terminalWidth: Int {
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 {
      return n
    }
    var size = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    return 100
  }

  /// Unbuffered stdout, so progress lines appear at once even in a pipe.
  static func out(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  static func standardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  static func error(_ error: any FairflowError) {
    var text = error.message
    if !text.contains(": error: "), !text.hasPrefix("error: ") { text = "error: " + text }
    if let hint = error.hint { text += "\nhint: \(hint)" }
    standardError(text + "\n")
  }

  static func paint(_ text: String, _ code: String) -> String {
    colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}

/// A plain error raised by a command (`fairflow: …`).
struct CommandError: FairflowError {
  var message: String
  var hint: String?
  var exitStatus: ExitStatus
  init(_ message: String, hint: String? = nil, exitStatus: ExitStatus = .invalidInput) {
    self.message = message
    self.hint = hint
    self.exitStatus = exitStatus
  }
}
