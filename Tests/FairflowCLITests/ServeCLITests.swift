import FairflowTesting
import Foundation
import Testing

/// `fairflow serve` end to end: the published interaction network and BraggNN imported (the
/// checkpoints ImportPredictCLITests uses), predicted from a file, then served and asked with the
/// official client (tritonclient[http]), curl and a hostile-request corpus; SIGTERM drains.
@Suite struct ServeCLITests {
  static let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Peers").path

  /// A running `fairflow serve` and the port it printed.
  struct Server {
    let process: Process
    let port: Int
    let stderr: Pipe

    static func start(_ arguments: [String], in root: String) throws -> Server? {
      let (process, out, err) = try CLIProcess.start(
        ["serve", "--port", "0"] + arguments, in: root)
      var line = Data()
      while !line.contains(UInt8(ascii: "\n")) {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        line += chunk
      }
      let text = String(decoding: line, as: UTF8.self)
      guard let port = text.split(separator: ":").last.flatMap({ Int($0.prefix { $0.isNumber }) })
      else {
        process.waitUntilExit()
        Issue.record("serve printed \(text.debugDescription)")
        return nil
      }
      return Server(process: process, port: port, stderr: err)
    }

    /// SIGTERM, then the exit status and standard error.
    func stop() -> (Int32, String) {
      if process.isRunning { process.terminate() }
      let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      return (process.terminationStatus, text)
    }
  }

  static func curl(_ arguments: [String], in root: String) throws -> String {
    try Shell.run(["curl", "-s", "--max-time", "60"] + arguments, in: root).stdout
  }

  @Test func servesThePublishedModelsBitForBitAndSurvivesHostileRequests() throws {
    guard let python = PythonPeer.interpreter,
      try Shell.run([python, "-c", "import tritonclient.http"], in: "/").status == 0
    else {
      if PythonPeer.required {
        Issue.record("no tritonclient[http] peer: run scripts/install-deps")
      }
      return
    }
    let ws = try TemporaryWorkspace("serve")
    defer { ws.destroy() }
    try FileManager.default.createDirectory(
      atPath: ws.path("published"), withIntermediateDirectories: true)
    #expect(
      try Shell.run([python, ImportPredictCLITests.fixture, ws.path("published")], in: ws.root)
        .status == 0)
    for (file, arch, out) in [
      ("in-legacy.pth", "interaction-network", "models/in"),
      ("bragg-zip.pth", "braggnn", "models/bragg"),
    ] {
      let r = try CLIProcess.run(
        ["import-model", "published/" + file, "--arch", arch, "--out", out], in: ws.root)
      #expect(r.status == 0, "\(r.stderr)")
    }
    let make = """
      import h5py, numpy as np
      rng = np.random.default_rng(3)
      with h5py.File("inputs.h5", "w") as f:
          f["tracks"] = rng.uniform(-1, 1, (300, 30, 60)).astype(np.float32)
          f["vertices"] = rng.uniform(-1, 1, (300, 14, 5)).astype(np.float32)
          f["patch"] = rng.uniform(0, 1, (300, 1, 11, 11)).astype(np.float32)
      """
    #expect(try Shell.run([python, "-c", make], in: ws.root).status == 0)
    for (model, out) in [("models/in", "in-out.h5"), ("models/bragg", "bragg-out.h5")] {
      let p = try CLIProcess.run(["predict", model, "inputs.h5", "--out", out], in: ws.root)
      #expect(p.status == 0, "\(p.stderr)")
    }
    guard
      let server = try Server.start(
        ["models/in", "models/bragg", "--access-log", "access.log"], in: ws.root)
    else { return }
    let port = String(server.port)
    let client = try Shell.run(
      [python, Self.peers + "/serve_client.py", port, "inputs.h5", "in-out.h5", "bragg-out.h5"],
      in: ws.root)
    #expect(client.status == 0, "\(client.stdout)\(client.stderr)")
    for line in [
      "metadata: ok", "bits: in json equals predict", "bits: in binary equals predict",
      "bits: bragg json equals predict", "bits: bragg binary equals predict",
      "load: 2000 requests at concurrency 16, 0 errors",
    ] {
      #expect(client.stdout.contains(line), "\(client.stdout)")
    }
    print(client.stdout)
    let hostile = try Shell.run([python, Self.peers + "/serve_hostile.py", port], in: ws.root)
    #expect(hostile.status == 0, "\(hostile.stdout)\(hostile.stderr)")
    #expect(hostile.stdout.contains("hostile: still live"))
    try checkCurl(port: port, root: ws.root)
    try checkStartErrors(port: port, root: ws.root)
    let (status, stderr) = server.stop()
    #expect(status == 0, "\(stderr)")
    #expect(stderr.contains("serve: stopped"))
    #expect(try ws.read("access.log").contains("\"POST /v2/models/bragg/infer HTTP/1.1\" 200 "))
    try checkDrain(python: python, root: ws.root)
    try checkBundle(root: ws.root)
  }

  /// A published bundle (a bag with the model directory under data/) is served by its name.
  func checkBundle(root: String) throws {
    try FileManager.default.createDirectory(
      atPath: root + "/bundle/data", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: root + "/models/bragg", toPath: root + "/bundle/data/model")
    try Data("BagIt-Version: 1.0\n".utf8).write(
      to: URL(fileURLWithPath: root + "/bundle/bagit.txt"))
    guard let server = try Server.start(["bundle", "--access-log", "bundle.log"], in: root)
    else { return }
    let metadata = try Self.curl(["http://127.0.0.1:\(server.port)/v2/models/bundle"], in: root)
    #expect(
      metadata.hasPrefix(#"{"name":"bundle","versions":["1"],"platform":"fairflow_braggnn""#),
      "\(metadata)")
    #expect(server.stop().0 == 0)
  }

  /// curl: an inference, an oversize body, the metrics.
  func checkCurl(port: String, root: String) throws {
    let base = "http://127.0.0.1:\(port)"
    let zeros = Array(repeating: "0", count: 121).joined(separator: ",")
    let body =
      #"{"id":"c1","inputs":[{"name":"patch","datatype":"FP32","shape":[1,1,11,11],"data":["#
      + zeros + "]}]}"
    let answer = try Self.curl(
      ["-X", "POST", base + "/v2/models/bragg/infer", "-d", body], in: root)
    #expect(
      answer.hasPrefix(
        #"{"model_name":"bragg","model_version":"1","id":"c1","outputs":[{"name":"ploc","datatype":"FP32","shape":[1,2],"data":["#
      ), "\(answer)")
    try Data(count: 17 << 20).write(to: URL(fileURLWithPath: root + "/big.bin"))
    let big = try Self.curl(
      [
        "-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@big.bin",
        base + "/v2/models/bragg/infer",
      ], in: root)
    #expect(big == "413")
    let metrics = try Self.curl([base + "/metrics"], in: root)
    let line = metrics.split(separator: "\n").first {
      $0.hasPrefix(#"fairflow_serve_requests_total{endpoint="infer",model="bragg",code="200"}"#)
    }
    #expect((line?.split(separator: " ").last.flatMap { Int($0) } ?? 0) >= 2000, "\(metrics)")
    #expect(metrics.contains(#"fairflow_serve_batch_size_bucket{model="in",le="64"}"#))
    #expect(metrics.contains("# TYPE fairflow_serve_request_duration_seconds histogram"))
  }

  /// A directory that is not a model, a port in use: clear errors, exit 2, no stack trace.
  func checkStartErrors(port: String, root: String) throws {
    let notModel = try CLIProcess.run(["serve", "published", "--port", "0"], in: root)
    #expect(notModel.status == 2)
    #expect(
      notModel.stderr.contains(
        "published is not a model directory: it has no model.json and model.safetensors"),
      "\(notModel.stderr)")
    let inUse = try CLIProcess.run(["serve", "models/in", "--port", port], in: root)
    #expect(inUse.status == 2)
    #expect(inUse.stderr.contains("cannot listen on 127.0.0.1:\(port): the address is in use"))
    #expect(!inUse.stderr.contains("Fatal"))
  }

  /// SIGTERM while a request is being answered (300 jets, about a second in a debug build): it
  /// still gets its answer, no new connection is accepted, then the server exits 0.
  func checkDrain(python: String, root: String) throws {
    guard let server = try Server.start(["models/in", "--access-log", "drain.log"], in: root)
    else { return }
    let drain = try Shell.run(
      [
        python, Self.peers + "/serve_drain.py", String(server.port),
        String(server.process.processIdentifier), "inputs.h5", "in-out.h5",
      ], in: root)
    let (status, stderr) = server.stop()
    #expect(drain.stdout.contains("drain: answered"), "\(drain.stdout)\(drain.stderr)")
    #expect(status == 0, "\(stderr)")
    #expect(stderr.contains("serve: shutting down, answering requests in flight"))
  }
}
