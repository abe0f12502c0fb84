import Foundation

/// A snapshot of one file's transfer, for a progress display (the CLI renders it).
public struct DownloadProgress: Sendable {
  /// The file's relative path (``RemoteFile/path``).
  public var file: String
  /// Bytes of this file on disk so far (a resumed part counts).
  public var bytes: Int64
  /// The expected size when the listing gives one.
  public var total: Int64?
  /// Files finished in this batch, and the batch size (1 for a single download).
  public var filesDone: Int
  public var filesTotal: Int
  /// Transfer rate of this file since its download started.
  public var bytesPerSecond: Double

  public init(
    file: String, bytes: Int64, total: Int64?, filesDone: Int, filesTotal: Int,
    bytesPerSecond: Double
  ) {
    self.file = file
    self.bytes = bytes
    self.total = total
    self.filesDone = filesDone
    self.filesTotal = filesTotal
    self.bytesPerSecond = bytesPerSecond
  }
}

/// Counts finished files across the concurrent downloads of one batch.
final class BatchCounter: @unchecked Sendable {
  let total: Int
  private let lock = NSLock()
  private var finished = 0

  init(total: Int) { self.total = total }

  var done: Int { lock.withLock { finished } }

  func finishOne() -> Int {
    lock.withLock {
      finished += 1; return finished
    }
  }
}

/// Calls the progress callback of one file at most ten times a second (and always at the end).
final class ProgressReporter {
  private let file: String
  private let total: Int64?
  private let batch: BatchCounter
  private let callback: (@Sendable (DownloadProgress) -> Void)?
  private let clock = ContinuousClock()
  private let started: ContinuousClock.Instant
  private var lastEmit: ContinuousClock.Instant?
  private var firstBytes: Int64?

  init(
    file: String, total: Int64?, batch: BatchCounter,
    callback: (@Sendable (DownloadProgress) -> Void)?
  ) {
    self.file = file
    self.total = total
    self.batch = batch
    self.callback = callback
    started = clock.now
  }

  /// `bytes` of the file are on disk now.
  func update(_ bytes: Int64) {
    if firstBytes == nil { firstBytes = bytes }
    let now = clock.now
    if let lastEmit, now - lastEmit < .milliseconds(100) { return }
    lastEmit = now
    emit(bytes, done: batch.done)
  }

  /// The file is verified and in place.
  func finish(_ bytes: Int64) {
    emit(bytes, done: batch.finishOne())
  }

  private func emit(_ bytes: Int64, done: Int) {
    guard let callback else { return }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let moved = Double(bytes - (firstBytes ?? bytes))
    callback(
      DownloadProgress(
        file: file, bytes: bytes, total: total, filesDone: done, filesTotal: batch.total,
        bytesPerSecond: seconds > 0 ? moved / seconds : 0))
  }
}
