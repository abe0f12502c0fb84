internal import Foundation

/// A workspace in a fresh temporary directory, with helpers to write files and pipelines.
/// Removed on `destroy()`; tests use real files and processes (house style).
public struct TemporaryWorkspace: Sendable {
  public let root: String

  public init(_ name: String = "ws") throws {
    let base =
      FileManager.default.temporaryDirectory.path
      + "/fairflow-test-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(
      atPath: base + "/pipelines", withIntermediateDirectories: true)
    root = base
  }

  public func path(_ relative: String) -> String { root + "/" + relative }

  public func write(_ relative: String, _ text: String) throws {
    let url = URL(fileURLWithPath: path(relative))
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    if FileManager.default.fileExists(atPath: url.path) {
      try FileManager.default.removeItem(at: url)
    }
    try Data(text.utf8).write(to: url)
  }

  public func read(_ relative: String) throws -> String {
    try String(contentsOfFile: path(relative), encoding: .utf8)
  }

  public func readBytes(_ relative: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path(relative))))
  }

  public func exists(_ relative: String) -> Bool {
    FileManager.default.fileExists(atPath: path(relative))
  }

  public func remove(_ relative: String) throws {
    try FileManager.default.removeItem(atPath: path(relative))
  }

  /// Lines of a side-effect file stages append to (counts executions).
  public func lines(_ relative: String) -> [String] {
    ((try? read(relative)) ?? "").split(separator: "\n").map(String.init)
  }

  public func destroy() {
    _ = try? FileManager.default.removeItem(atPath: root)
  }
}
