internal import Glibc
internal import Synchronization

/// A running stage's progress for the runner's status line: one line of text in the file named
/// by `$FAIRFLOW_PROGRESS`, which the runner sets for every stage (built-in or command) to
/// `cache/logs/RUN/STAGE.progress`, beside the stage's log. The file is replaced atomically
/// (write + rename), at most four times a second unless a report is forced; the runner reads it
/// while drawing. Any command can report too:
///
/// ```sh
/// echo "step 3/10 · loss 0.31" > "$FAIRFLOW_PROGRESS"
/// ```
public final class StageProgress: Sendable {
  /// The process's reporter (a no-op outside a stage run).
  public static let shared = StageProgress(
    path: getenv("FAIRFLOW_PROGRESS").map { String(cString: $0) })

  /// Where reports go; nil: nowhere.
  public let path: String?
  private let lastWrite = Mutex<Double>(-1)

  public init(path: String?) {
    self.path = path.flatMap { $0.isEmpty ? nil : $0 }
  }

  /// Replaces the progress line (throttled to four a second unless `force`).
  public func report(_ text: String, force: Bool = false) {
    guard let path else { return }
    let now = MonotonicClock.now()
    let due = lastWrite.withLock { last in
      guard force || last < 0 || now - last >= 0.25 else { return false }
      last = now
      return true
    }
    guard due else { return }
    let temporary = path + ".tmp"
    let bytes = Array(Self.sanitised(text).utf8) + [10]
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return }
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    if written == bytes.count { rename(temporary, path) } else { unlink(temporary) }
  }

  /// The progress line in `path`, or nil: the first line, without control characters, at most
  /// `limit` characters.
  public static func read(_ path: String, limit: Int = 160) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
    guard count > 0 else { return nil }
    let text = String(decoding: buffer[0..<count], as: UTF8.self)
    let line = sanitised(String(text.split(separator: "\n").first ?? ""))
    guard !line.isEmpty else { return nil }
    return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
  }

  /// One line: control characters (escape sequences included) dropped, whitespace collapsed.
  static func sanitised(_ text: String) -> String {
    var out = ""
    var space = false
    for scalar in text.unicodeScalars {
      if scalar.properties.generalCategory == .control || scalar == " " {
        space = !out.isEmpty
        continue
      }
      if space { out += " " }
      space = false
      out.unicodeScalars.append(scalar)
    }
    return out
  }
}
