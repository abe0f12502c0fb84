public import Foundation

/// A real nginx (Debian's, with its WebDAV module) serving a temporary directory on 127.0.0.1,
/// for the remote tests: started by the test, stopped by `stop()`. One process, no daemon, no
/// user switch (`master_process off`), every path under its own temporary directory.
public final class NginxServer: @unchecked Sendable {
  /// Where the served files live (the remote's contents, for tampering in tests).
  public let documentRoot: String
  public let port: Int
  private let directory: String
  private let process: Process

  public static let binary: String? = ["/usr/sbin/nginx", "/usr/bin/nginx"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  /// In CI nginx must be there (scripts/install-deps installs it); elsewhere tests skip.
  public static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

  /// `locationExtra` goes inside `location /` (auth, limits); `createFullPutPath` false makes
  /// the client create collections with MKCOL, as CERNBox and dCache require.
  public init(locationExtra: String = "", createFullPutPath: Bool = true) throws {
    guard let binary = Self.binary else { throw NginxError("nginx is not installed") }
    directory =
      FileManager.default.temporaryDirectory.path + "/fairflow-nginx-\(UUID().uuidString.prefix(8))"
    documentRoot = directory + "/data"
    for sub in ["data", "temp", "logs"] {
      try FileManager.default.createDirectory(
        atPath: directory + "/" + sub, withIntermediateDirectories: true)
    }
    var lastError = ""
    for _ in 0..<20 {
      let port = Int.random(in: 20_000...60_000)
      let config = Self.config(
        directory: directory, port: port, locationExtra: locationExtra,
        createFullPutPath: createFullPutPath)
      try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/nginx.conf"))
      let process = Process()
      process.executableURL = URL(fileURLWithPath: binary)
      process.arguments = [
        "-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/logs/error.log",
      ]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      if Self.waitForPort(port, process: process) {
        self.port = port
        self.process = process
        return
      }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
      process.waitUntilExit()
      lastError =
        (try? String(contentsOfFile: directory + "/logs/error.log", encoding: .utf8)) ?? ""
    }
    throw NginxError("nginx did not start: \(lastError.suffix(400))")
  }

  public var baseURL: String { "http://127.0.0.1:\(port)/" }

  /// The access log: one line per request, `METHOD URI STATUS`.
  public var accessLog: [String] {
    ((try? String(contentsOfFile: directory + "/logs/access.log", encoding: .utf8)) ?? "")
      .split(separator: "\n").map(String.init)
  }

  public func stop() {
    // SIGKILL: a single-process nginx started from a test runner may not act on SIGTERM
    // (the runner's blocked signals are inherited), and nothing here needs a graceful exit.
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    try? FileManager.default.removeItem(atPath: directory)
  }

  static func config(directory: String, port: Int, locationExtra: String, createFullPutPath: Bool)
    -> String
  {
    """
    daemon off;
    master_process off;
    worker_processes 1;
    pid \(directory)/nginx.pid;
    error_log \(directory)/logs/error.log;
    events { worker_connections 512; }
    http {
      log_format plain '$request_method $request_uri $status';
      access_log \(directory)/logs/access.log plain;
      client_body_temp_path \(directory)/temp/body;
      proxy_temp_path \(directory)/temp/proxy;
      fastcgi_temp_path \(directory)/temp/fastcgi;
      uwsgi_temp_path \(directory)/temp/uwsgi;
      scgi_temp_path \(directory)/temp/scgi;
      client_max_body_size 0;
      server {
        listen 127.0.0.1:\(port);
        root \(directory)/data;
        location / {
          dav_methods PUT DELETE MKCOL COPY MOVE;
          create_full_put_path \(createFullPutPath ? "on" : "off");
          dav_access user:rw group:r all:r;
          \(locationExtra)
        }
      }
    }
    """
  }

  static func waitForPort(_ port: Int, process: Process) -> Bool {
    for _ in 0..<100 {
      if !process.isRunning { return false }
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
      }
      close(fd)
      if connected { return true }
      Thread.sleep(forTimeInterval: 0.05)
    }
    return false
  }
}

public struct NginxError: Error, CustomStringConvertible {
  public var description: String
  init(_ description: String) { self.description = description }
}
