internal import ArgumentParser
internal import Dispatch
internal import Foundation
internal import Serve

/// `fairflow serve MODEL_DIR… [--host H] [--port N]`.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve model directories over HTTP (KServe v2 / Open Inference Protocol).",
    discussion: """
      Each directory (from train or import-model, or a published bundle holding one) is served \
      as /v2/models/NAME, NAME being the directory's name: metadata, readiness and infer with \
      JSON or binary FP32 tensors. Concurrent requests are batched; /metrics gives Prometheus \
      text. SIGTERM or SIGINT drains: requests in flight are answered, then the server exits 0. \
      See docs/serve.md.
      """)
  @Argument(help: "Model directories.") var models: [String]
  @Option(help: "Address to listen on.") var host = "127.0.0.1"
  @Option(help: "Port to listen on (0: a free one, printed).") var port = 8000
  @Option(help: "Rows one model runs at once at most.") var maxBatch = 64
  @Option(help: "Milliseconds a request waits for others to share its batch.")
  var maxQueueDelay = 2.0
  @Option(help: "Bytes of one request body at most.") var maxBodyBytes = 16 << 20
  @Option(help: "Rows of one request at most.") var maxRequestRows = 1024
  @Option(help: "Requests answered at once at most (more get 503).") var maxInFlight = 64
  @Option(help: "Rows queued per model at most (more get 503).") var maxQueueRows = 4096
  @Option(help: "Access log file (- for standard error).") var accessLog = "-"

  func validate() throws {
    guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
    guard maxBatch >= 1, maxRequestRows >= 1, maxInFlight >= 1, maxQueueRows >= 1,
      maxBodyBytes >= 1
    else { throw ValidationError("--max-* limits must be at least 1") }
    guard maxQueueDelay >= 0, maxQueueDelay <= 10_000 else {
      throw ValidationError("--max-queue-delay must be 0…10000 milliseconds")
    }
  }

  func run() async throws {
    var limits = ServeLimits()
    limits.maxBatch = maxBatch
    limits.maxQueueDelay = maxQueueDelay / 1000
    limits.maxBodyBytes = maxBodyBytes
    limits.maxRequestRows = maxRequestRows
    limits.maxInFlight = maxInFlight
    limits.maxQueueRows = maxQueueRows
    var served: [ServedModel] = []
    for directory in models { served += try ServedModel.load(directory) }
    let log = try AccessLog(path: accessLog)
    let server = try await InferenceServer.start(
      models: served, host: host, port: port, limits: limits, log: log)
    let stop = ShutdownSignal()
    let names = served.map(\.name).sorted().joined(separator: ", ")
    // Unbuffered: a script waiting for this line (the port, with --port 0) gets it at once.
    FileHandle.standardOutput.write(Data("serve: \(names) on http://\(host):\(server.port)\n".utf8))
    await stop.wait()
    Console.standardError("serve: shutting down, answering requests in flight\n")
    let left = await server.drain()
    if left > 0 {
      Console.standardError("serve: stopped with \(left) requests unanswered\n")
      throw ExitCode(1)
    }
    Console.standardError("serve: stopped\n")
  }
}

/// Waits for SIGTERM or SIGINT (once).
final class ShutdownSignal: @unchecked Sendable {
  private var sources: [any DispatchSourceSignal] = []
  private let lock = NSLock()
  private var fired = false
  private var waiter: CheckedContinuation<Void, Never>?

  init() {
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { [self] in fire() }
      source.resume()
      sources.append(source)
    }
  }

  private func fire() {
    let waiting: CheckedContinuation<Void, Never>? = lock.withLock {
      fired = true
      defer { waiter = nil }
      return waiter
    }
    waiting?.resume()
  }

  func wait() async {
    await withCheckedContinuation { continuation in
      let now: Bool = lock.withLock {
        if fired { return true }
        waiter = continuation
        return false
      }
      if now { continuation.resume() }
    }
  }
}
