import Foundation
import FairflowTesting
import Testing

/// `fairflow push` / `pull` / `run --pull` through the real binary: workspace A trains and
/// evaluates, pushes; a fresh clone B pulls and has nothing to do. Remotes: a directory, and a
/// real nginx (Debian's WebDAV module) on 127.0.0.1 with HTTP Basic auth.
@Suite(.serialized) struct RemoteCLITests {
  static let pipeline = """
    params:
      seed: 5
    stages:
      generate:
        uses: generate
        outs: [data/raw]
        with: {kind: bragg-peaks, count: 200, seed: "${params.seed}", output: data/raw/peaks.h5}
      split:
        uses: convert
        deps: [data/raw]
        outs: [data/patches]
        with:
          inputs: [data/raw]
          datasets: {patch: patch, ploc: ploc}
          split: {fractions: {train: 0.8, validation: 0.1, test: 0.1}, seed: "${params.seed}"}
          output: data/patches
      train:
        uses: train
        deps: [data/patches]
        outs: [models/m]
        with:
          model: braggnn
          train: data/patches/train.h5
          validation: data/patches/validation.h5
          epochs: 1
          batch_size: 32
          seed: "${params.seed}"
          threads: 1
          output: models/m
      evaluate:
        uses: evaluate
        deps: [models/m, data/patches/test.h5]
        metrics: [metrics/m.json]
        with: {model: models/m, data: data/patches/test.h5, output: metrics/m.json}
    """

  /// A git workspace that has run the pipeline, with `fairflow.yaml` naming `remote`.
  static func trainedWorkspace(remote url: String, extra: [String] = []) throws
    -> TemporaryWorkspace
  {
    let ws = try TemporaryWorkspace("remote-a")
    try ws.write("pipelines/main.yaml", pipeline)
    try ws.write(".gitignore", "cache/\ndata/\nmodels/\nmetrics/\n")
    let run = try CLIProcess.run(["run"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let add = try CLIProcess.run(["remote", "add", "team", url] + extra, in: ws.root)
    #expect(add.status == 0, "\(add.stdout)\(add.stderr)")
    try ws.initGitRepository()
    return ws
  }

  /// `git clone` of `ws`: the lock file and fairflow.yaml, no cache, no outputs.
  static func clone(_ ws: TemporaryWorkspace) throws -> String {
    let target = ws.root + "-clone-\(UUID().uuidString.prefix(6))"
    try Shell.git(
      ["clone", "-q", ws.root, target], in: FileManager.default.temporaryDirectory.path)
    return target
  }

  static func temporaryDirectory(_ name: String) throws -> String {
    let path =
      FileManager.default.temporaryDirectory.path
      + "/fairflow-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func nginx(locationExtra: String = "", createFullPutPath: Bool = true) throws
    -> NginxServer?
  {
    guard NginxServer.binary != nil else {
      if NginxServer.required { Issue.record("nginx is missing: run scripts/install-deps") }
      return nil
    }
    return try NginxServer(locationExtra: locationExtra, createFullPutPath: createFullPutPath)
  }

  @Test func directoryRemoteRoundTrip() throws {
    let remote = try Self.temporaryDirectory("remote-dir")
    defer { try? FileManager.default.removeItem(atPath: remote) }
    let a = try Self.trainedWorkspace(remote: remote)
    defer { a.destroy() }
    let push = try CLIProcess.run(["push"], in: a.root)
    #expect(push.status == 0, "\(push.stdout)\(push.stderr)")
    #expect(push.stdout.contains("pushed"), "\(push.stdout)")
    // A second push has nothing to send.
    let again = try CLIProcess.run(["push", "--json"], in: a.root)
    #expect(again.status == 0)
    #expect(again.stdout.contains("\"transferred\":0"), "\(again.stdout)")
    #expect(!again.stdout.contains("\"present\":0,"), "\(again.stdout)")

    let b = try Self.clone(a)
    defer { try? FileManager.default.removeItem(atPath: b) }
    let pull = try CLIProcess.run(["pull"], in: b)
    #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
    let status = try CLIProcess.run(["status"], in: b)
    #expect(status.status == 0)
    #expect(status.stdout.contains("up to date"), "\(status.stdout)")
    #expect(!status.stdout.contains("stale"), "\(status.stdout)")
    let run = try CLIProcess.run(["run"], in: b)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    #expect(run.stdout.contains("0 executed, 0 restored, 4 up to date"), "\(run.stdout)")
    #expect(
      try a.read("metrics/m.json") == String(contentsOfFile: b + "/metrics/m.json", encoding: .utf8)
    )
  }

  @Test func runPullRestoresInsteadOfExecuting() throws {
    let remote = try Self.temporaryDirectory("remote-run")
    defer { try? FileManager.default.removeItem(atPath: remote) }
    let a = try Self.trainedWorkspace(remote: remote)
    defer { a.destroy() }
    #expect(try CLIProcess.run(["push"], in: a.root).status == 0)
    let c = try Self.clone(a)
    defer { try? FileManager.default.removeItem(atPath: c) }
    let run = try CLIProcess.run(["run", "--pull"], in: c)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    #expect(run.stdout.contains("0 executed, 4 restored"), "\(run.stdout)")
    // Changing a parameter nobody computed: the remote has no run-cache entry, so it runs.
    let changed = try CLIProcess.run(
      ["run", "--pull", "-p", "seed=6", "--stage", "generate"], in: c)
    #expect(changed.status == 0, "\(changed.stdout)\(changed.stderr)")
    #expect(changed.stdout.contains("1 executed"), "\(changed.stdout)")
  }

  @Test func webdavRoundTripWithCredentialsFromEnvironmentAndNetrc() throws {
    let htpasswd = try Self.temporaryDirectory("htpasswd") + "/users"
    try "ada:{PLAIN}s3cret-Pa55\n".write(toFile: htpasswd, atomically: true, encoding: .utf8)
    guard
      let server = try Self.nginx(
        locationExtra: "auth_basic \"fairflow\"; auth_basic_user_file \(htpasswd);",
        createFullPutPath: false)
    else { return }
    defer { server.stop() }
    try FileManager.default.createDirectory(
      atPath: server.documentRoot + "/cache", withIntermediateDirectories: true)
    let a = try Self.trainedWorkspace(remote: server.baseURL + "cache", extra: ["--retries", "2"])
    defer { a.destroy() }
    // No credentials: refused, and the message says what to set.
    let refused = try CLIProcess.run(["push"], in: a.root, environment: ["NETRC": "/nonexistent"])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("HTTP 401"), "\(refused.stderr)")
    #expect(refused.stderr.contains("FAIRFLOW_REMOTE_TEAM_TOKEN"), "\(refused.stderr)")
    let secrets = [
      "FAIRFLOW_REMOTE_TEAM_USER": "ada", "FAIRFLOW_REMOTE_TEAM_PASSWORD": "s3cret-Pa55",
      "NETRC": "/nonexistent",
    ]
    let push = try CLIProcess.run(["push"], in: a.root, environment: secrets)
    #expect(push.status == 0, "\(push.stdout)\(push.stderr)")
    // The collections were made with MKCOL (the server does not create them on PUT).
    #expect(
      server.accessLog.contains { $0.hasPrefix("MKCOL /cache/objects/") && $0.hasSuffix(" 201") })

    let b = try Self.clone(a)
    defer { try? FileManager.default.removeItem(atPath: b) }
    let netrc = b + ".netrc"
    try "machine 127.0.0.1\n  login ada\n  password s3cret-Pa55\n".write(
      toFile: netrc, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: netrc) }
    let pull = try CLIProcess.run(["pull"], in: b, environment: ["NETRC": netrc])
    #expect(pull.status == 0, "\(pull.stdout)\(pull.stderr)")
    let run = try CLIProcess.run(["run"], in: b)
    #expect(run.stdout.contains("0 executed, 0 restored, 4 up to date"), "\(run.stdout)")
    let list = try CLIProcess.run(["remote", "list"], in: b, environment: ["NETRC": netrc])
    #expect(list.stdout.contains(netrc), "\(list.stdout)")

    // The password is nowhere: not in output, config, lock file, logs, cache or provenance.
    let everything =
      [
        refused.stdout, refused.stderr, push.stdout, push.stderr, pull.stdout, pull.stderr,
        list.stdout,
      ]
      + [a.root, b].flatMap { root in
        (FileManager.default.subpaths(atPath: root) ?? []).compactMap { path -> String? in
          guard !path.hasPrefix(".git/objects") else { return nil }
          return try? String(contentsOfFile: root + "/" + path, encoding: .utf8)
        }
      }
      + [try Shell.git(["log", "-p", "--all"], in: a.root).stdout]
    let basic = Data("ada:s3cret-Pa55".utf8).base64EncodedString()
    #expect(!everything.contains { $0.contains("s3cret-Pa55") || $0.contains(basic) })
  }

  @Test func corruptRemoteObjectIsRefusedAndNamed() throws {
    guard let server = try Self.nginx() else { return }
    defer { server.stop() }
    let a = try Self.trainedWorkspace(remote: server.baseURL + "c")
    defer { a.destroy() }
    #expect(try CLIProcess.run(["push"], in: a.root).status == 0)
    // Tamper with the model's weights on the server, keeping the size.
    let lock = try a.read("pipelines/main.lock")
    let models = try #require(
      lock.split(separator: "\n").first { $0.contains("\"path\":\"models/m\"") })
    let manifestHex = try #require(
      models.split(separator: "\"").drop { $0 != "digest" }.dropFirst(2).first)
    let manifest = try String(
      contentsOfFile:
        "\(server.documentRoot)/c/objects/\(manifestHex.prefix(2))/\(manifestHex.dropFirst(2))",
      encoding: .utf8)
    let weights = try #require(
      manifest.components(separatedBy: "{\"digest\":\"").dropFirst()
        .first { $0.contains("model.safetensors") }?.prefix(64))
    let object = "\(server.documentRoot)/c/objects/\(weights.prefix(2))/\(weights.dropFirst(2))"
    var bytes = try Data(contentsOf: URL(fileURLWithPath: object))
    bytes[bytes.count / 2] ^= 0xFF
    try bytes.write(to: URL(fileURLWithPath: object))

    let b = try Self.clone(a)
    defer { try? FileManager.default.removeItem(atPath: b) }
    let pull = try CLIProcess.run(["pull"], in: b)
    #expect(pull.status == 1)
    #expect(pull.stderr.contains("corrupt object objects/\(weights.prefix(2))/"), "\(pull.stderr)")
    #expect(pull.stderr.contains("train: models/m/model.safetensors"), "\(pull.stderr)")
    #expect(
      !FileManager.default.fileExists(
        atPath: "\(b)/cache/objects/\(weights.prefix(2))/\(weights.dropFirst(2))"))
    #expect((FileManager.default.subpaths(atPath: b + "/cache/tmp/remote") ?? []).isEmpty)
    // Everything that verified is in place; the damaged output is not.
    #expect(FileManager.default.fileExists(atPath: b + "/data/patches/train.h5"))
    #expect(!FileManager.default.fileExists(atPath: b + "/models/m/model.safetensors"))
  }

  @Test func configurationErrorsAreClear() throws {
    let ws = try TemporaryWorkspace("remote-config")
    defer { ws.destroy() }
    try ws.write("pipelines/main.yaml", "stages: {}\n")
    let secret = try CLIProcess.run(
      ["remote", "add", "x", "https://ada:hunter2@dav.example.org/cache"], in: ws.root)
    #expect(secret.status == 2)
    #expect(secret.stderr.contains("carries credentials"), "\(secret.stderr)")
    #expect(!secret.stderr.contains("hunter2"))
    let s3 = try CLIProcess.run(["remote", "add", "x", "s3://bucket/cache"], in: ws.root)
    #expect(s3.status == 2 && s3.stderr.contains("s3:// remotes are not supported"), "\(s3.stderr)")
    try ws.write("fairflow.yaml", "remotes:\n  team:\n    url: /tmp\n    job: 4\n")
    let typo = try CLIProcess.run(["push"], in: ws.root)
    #expect(typo.status == 2)
    #expect(typo.stderr.contains("fairflow.yaml:4:5"), "\(typo.stderr)")
    #expect(typo.stderr.contains("did you mean 'jobs'"), "\(typo.stderr)")
    try ws.write("fairflow.yaml", "remotes:\n  team: {url: /tmp}\n")
    let unknown = try CLIProcess.run(["pull", "--remote", "tema"], in: ws.root)
    #expect(unknown.status == 2)
    #expect(
      unknown.stderr.contains("no remote 'tema'") && unknown.stderr.contains("team"),
      "\(unknown.stderr)")
  }
}
