internal import Foundation

/// One line per answered request, appended to a file or standard error:
///
///     2026-12-07T23:40:01.123Z 127.0.0.1:51234 "POST /v2/models/in/infer HTTP/1.1" 200 1187 0.003412
///
/// time (UTC), client, request line, status, response bytes, seconds from the request's last byte
/// to the response. Lines are written whole under a lock.
public final class AccessLog: @unchecked Sendable {
  private let handle: FileHandle
  private let lock = NSLock()
  private let formatter: ISO8601DateFormatter

  /// `path` nil or `-` writes to standard error; otherwise appends to `path` (created).
  public init(path: String?) throws(ServeError) {
    if let path, path != "-" {
      if !FileManager.default.fileExists(atPath: path) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
      }
      guard let handle = FileHandle(forWritingAtPath: path) else {
        throw ServeError("cannot write the access log \(path)")
      }
      handle.seekToEndOfFile()
      self.handle = handle
    } else {
      handle = FileHandle.standardError
    }
    formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
  }

  func record(
    client: String, method: String, uri: String, version: String, status: Int, bytes: Int,
    seconds: Double
  ) {
    lock.withLock {
      let line =
        "\(formatter.string(from: Date())) \(client) \"\(method) \(Self.clean(uri)) \(version)\" "
        + "\(status) \(bytes) \(String(format: "%.6f", seconds))\n"
      handle.write(Data(line.utf8))
    }
  }

  /// The URI with control characters and quotes escaped, so one request is one line.
  static func clean(_ uri: String) -> String {
    var out = ""
    for scalar in uri.prefix(2048).unicodeScalars {
      if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\"" {
        out += String(format: "\\x%02X", scalar.value)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
