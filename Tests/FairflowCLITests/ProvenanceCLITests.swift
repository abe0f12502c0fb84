import Foundation
import FairflowTesting
import Testing

/// The provenance acceptance checks, through the real binary, plain git and the Python peers.
@Suite struct ProvenanceCLITests {
  static let pipeline = """
    params:
      api_key: none
    stages:
      prepare:
        cmd: tr a-z A-Z < input.txt > data/upper.txt
        deps: [input.txt]
        outs: [data/upper.txt]
      count:
        cmd: wc -c < data/upper.txt > data/count.txt && test "${params.api_key}" != ""
        deps: [data/upper.txt]
        outs: [data/count.txt]
      report:
        cmd: cat data/upper.txt data/count.txt > report.txt && test -n "$ZENODO_TOKEN"
        deps: [data/upper.txt, data/count.txt]
        outs: [report.txt]
    """

  func workspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/main.yaml", Self.pipeline)
    try ws.write("input.txt", "raw measurements\n")
    try ws.write(".gitignore", "cache/\n")
    try ws.initGitRepository()
    return ws
  }

  func git(_ ws: TemporaryWorkspace, _ arguments: String...) throws -> String {
    try Shell.git(arguments, in: ws.root).stdout
  }

  static let token = "zt-SECRET-TOKEN-a81b2c"

  @Test func traceLogShowAndPlainGit() throws {
    let ws = try workspace("prov-cli")
    defer { ws.destroy() }
    let run = try CLIProcess.run(["run"], in: ws.root, environment: ["ZENODO_TOKEN": Self.token])
    #expect(run.status == 0, "\(run.stderr)")

    let log = try CLIProcess.run(["prov", "log"], in: ws.root)
    #expect(log.status == 0)
    let line = try #require(log.stdout.split(separator: "\n").first)
    #expect(line.contains("main: 3 stages, 3 executed, 0 restored"))
    let runID = String(line.split(separator: " ")[0])

    let trace = try CLIProcess.run(["prov", "trace", "report.txt"], in: ws.root)
    #expect(trace.status == 0, "\(trace.stderr)")
    let head = try git(ws, "rev-parse", "--short=12", "HEAD").trimmingCharacters(
      in: .whitespacesAndNewlines)
    #expect(trace.stdout.contains("made by stage 'report' in run \(runID)"))
    #expect(trace.stdout.contains("made by stage 'prepare'"))
    #expect(trace.stdout.contains("input.txt"))
    #expect(trace.stdout.contains("source file, tracked in git at \(head)"))
    #expect(trace.stdout.contains("code: \(head) (main)"))

    let json = try CLIProcess.run(["prov", "trace", "--json", "data/count.txt"], in: ws.root)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect((object["producer"] as? [String: Any])?["stage"] as? String == "count")

    // A file nobody produced: exit 1 with a clear message.
    try ws.write("stray.txt", "not from a run\n")
    let stray = try CLIProcess.run(["prov", "trace", "stray.txt"], in: ws.root)
    #expect(stray.status == 1)
    #expect(stray.stderr.contains("no provenance record lists this content"))

    let show = try CLIProcess.run(["prov", "show", String(runID.prefix(15))], in: ws.root)
    #expect(show.stdout.contains("pipeline  pipelines/main.yaml"))
    #expect(show.stdout.contains("user      Ada Lovelace <ada@example.org>"))
    let stage = try CLIProcess.run(["prov", "show", "\(runID)/count"], in: ws.root)
    #expect(stage.stdout.contains("\"stage\": \"count\""))
    let unknown = try CLIProcess.run(["prov", "show", "\(runID)/cuont"], in: ws.root)
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("did you mean 'count'"))

    // Plain git reads everything.
    let oneline = try git(ws, "log", "--oneline", "refs/fairflow/provenance")
    #expect(oneline.contains("fairflow run main: 3 stages, 3 executed, 0 restored"))
    let shown = try git(ws, "show", "refs/fairflow/provenance:runs/\(runID)/report.json")
    #expect(shown.contains("\"outcome\": \"executed\""))
  }

  @Test func runNeverTouchesHeadIndexBranchesOrTrackedFiles() throws {
    let ws = try workspace("prov-head")
    defer { ws.destroy() }
    try Shell.git(["branch", "feature"], in: ws.root)
    func snapshot() throws -> [String] {
      [
        try git(ws, "rev-parse", "HEAD"), try git(ws, "symbolic-ref", "HEAD"),
        try git(ws, "for-each-ref", "refs/heads", "refs/tags"),
        try git(ws, "ls-files", "--stage"), try git(ws, "diff", "HEAD", "--stat"),
        try String(
          decoding: Data(contentsOf: URL(fileURLWithPath: ws.path(".git/index"))), as: UTF8.self),
      ]
    }
    let before = try snapshot()
    #expect(
      try CLIProcess.run(["run"], in: ws.root, environment: ["ZENODO_TOKEN": "x"]).status == 0)
    #expect(
      try CLIProcess.run(["run", "--force"], in: ws.root, environment: ["ZENODO_TOKEN": "x"]).status
        == 0)
    #expect(try snapshot() == before)
    let status = try git(ws, "status", "--porcelain", "--untracked-files=no")
    #expect(status.isEmpty, "tracked files unchanged: \(status)")
    let untracked = try git(ws, "status", "--porcelain")
    #expect(untracked.contains("?? data/"))
    #expect(untracked.contains("?? report.txt"))
    #expect(
      try git(ws, "log", "--oneline", "refs/fairflow/provenance").split(separator: "\n").count == 2)
  }

  @Test func secretsReachNoGitObject() throws {
    let ws = try workspace("prov-secret")
    defer { ws.destroy() }
    let env = ["ZENODO_TOKEN": Self.token, "FAIRFLOW_PROVENANCE_ENV": "ZENODO_TOKEN"]
    // The key is passed on the command line, the token in the environment: neither is in the
    // user's committed files, so any occurrence in git would be fairflow's leak.
    let run = try CLIProcess.run(
      ["run", "-p", "api_key=sk-live-API-KEY-7f3a9c"], in: ws.root, environment: env)
    #expect(run.status == 0, "\(run.stderr)")
    let all = try Shell.run(
      ["git", "cat-file", "--batch-all-objects", "--batch"], in: ws.root)
    #expect(all.status == 0)
    #expect(all.data.count > 1000, "the scan read the objects")
    #expect(all.stdout.contains("fairflow.provenance/1"))
    #expect(!all.stdout.contains(Self.token))
    #expect(!all.stdout.contains("sk-live-API-KEY-7f3a9c"))
    #expect(all.stdout.contains("<redacted>"))
    let lock = try ws.read("pipelines/main.lock")
    #expect(!lock.contains("sk-live-API-KEY-7f3a9c"), "the lock file is redacted too")
  }

  @Test func twoRunsOfTwoPipelinesAtOnceBothLand() throws {
    let ws = try workspace("prov-concurrent")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/other.yaml",
      """
      stages:
        slow:
          cmd: sleep 0.5 && echo other > other.txt
          outs: [other.txt]
      """)
    let (p1, o1, e1) = try CLIProcess.start(
      ["run", "main"], in: ws.root, environment: ["ZENODO_TOKEN": "x"])
    let (p2, o2, e2) = try CLIProcess.start(["run", "other"], in: ws.root)
    for (process, out, err) in [(p1, o1, e1), (p2, o2, e2)] {
      _ = out.fileHandleForReading.readDataToEndOfFile()
      _ = err.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      #expect(process.terminationStatus == 0)
    }
    let subjects = try git(ws, "log", "--format=%s", "refs/fairflow/provenance")
    #expect(subjects.contains("fairflow run main: 3 stages, 3 executed"))
    #expect(subjects.contains("fairflow run other: 1 stages, 1 executed"))
  }

  @Test func verifyIsCleanThenFlagsEdits() throws {
    let ws = try workspace("prov-verify")
    defer { ws.destroy() }
    #expect(
      try CLIProcess.run(["run"], in: ws.root, environment: ["ZENODO_TOKEN": "x"]).status == 0)
    let clean = try CLIProcess.run(["prov", "verify"], in: ws.root)
    #expect(clean.status == 0, "\(clean.stdout)")
    #expect(clean.stdout.contains("all match"))
    try ws.remove("report.txt")
    try ws.write("report.txt", "forged\n")
    let dirty = try CLIProcess.run(["prov", "verify", "--json"], in: ws.root)
    #expect(dirty.status == 1)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(dirty.stdout.utf8)) as? [String: Any])
    let modified = try #require(object["modified"] as? [[String: Any]])
    #expect(modified.map { $0["path"] as? String } == ["report.txt"])
  }

  @Test func killedRunKeepsFinishedStagesRecordsAndARepositoryGitAccepts() throws {
    let ws = try TemporaryWorkspace("prov-kill")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/main.yaml",
      """
      stages:
        first:
          cmd: cp input.txt first.txt
          deps: [input.txt]
          outs: [first.txt]
        slow:
          cmd: touch started.flag && sleep 60 && cp first.txt slow.txt
          deps: [first.txt]
          outs: [slow.txt]
      """)
    try ws.write("input.txt", "x\n")
    try ws.write(".gitignore", "cache/\n")
    try ws.initGitRepository()
    let (process, out, err) = try CLIProcess.start(["run"], in: ws.root)
    #expect(CLIProcess.waitFor(ws.path("started.flag")))
    // The first stage's record was committed before the second stage started.
    let deadline = Date().addingTimeInterval(10)
    var subject = ""
    while Date() < deadline, !subject.contains("1 executed") {
      subject = try git(ws, "log", "-1", "--format=%s", "refs/fairflow/provenance")
      Thread.sleep(forTimeInterval: 0.05)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    // The orphaned stage runs in its own process group; stop it as a user would.
    _ = try Shell.run(["pkill", "-KILL", "-f", "touch started.flag && sleep 60"], in: ws.root)
    _ = out.fileHandleForReading.readDataToEndOfFile()
    _ = err.fileHandleForReading.readDataToEndOfFile()
    #expect(subject == "fairflow run main: 2 stages, 1 executed, 0 restored (running)\n")
    let fsck = try Shell.git(["fsck", "--strict"], in: ws.root)
    #expect(fsck.status == 0, "\(fsck.stdout)\(fsck.stderr)")

    try ws.write(
      "pipelines/main.yaml",
      try ws.read("pipelines/main.yaml").replacingOccurrences(of: "sleep 60", with: "true"))
    let again = try CLIProcess.run(["run"], in: ws.root)
    #expect(again.status == 0, "\(again.stderr)")
    // The killed run's stage locks were released by the kernel; their records name it.
    #expect(
      again.stderr.contains(
        "note: took over the lock of stage 'slow' left by pid \(process.processIdentifier) on "),
      "\(again.stderr)")
    let log = try CLIProcess.run(["prov", "log"], in: ws.root)
    let lines = log.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines.first?.contains("2 stages, 1 executed, 0 restored, 1 up to date") == true)
    #expect(lines.last?.contains("(running)") == true, "the killed run shows it never finished")
    #expect(try CLIProcess.run(["prov", "verify"], in: ws.root).status == 0)
  }

  @Test func refLockLeftByAKilledRunDoesNotBlockRecording() throws {
    let ws = try workspace("prov-stale-ref-lock")
    defer { ws.destroy() }
    let env = ["ZENODO_TOKEN": "x"]
    #expect(try CLIProcess.run(["run"], in: ws.root, environment: env).status == 0)
    // What libgit2 leaves when the process dies between locking and moving the ref.
    try ws.write(".git/refs/fairflow/provenance.lock", "")
    try ws.write("input.txt", "changed\n")
    let again = try CLIProcess.run(["run"], in: ws.root, environment: env)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(!ws.exists(".git/refs/fairflow/provenance.lock"))
    let subjects = try git(ws, "log", "--format=%s", "refs/fairflow/provenance")
    #expect(subjects.split(separator: "\n").count == 2, "\(subjects)")
  }

  @Test func noProvenanceYetIsAClearError() throws {
    let ws = try workspace("prov-none")
    defer { ws.destroy() }
    let log = try CLIProcess.run(["prov", "log"], in: ws.root)
    #expect(log.status == 1)
    #expect(log.stderr.contains("error: no provenance recorded in this workspace yet"))
    #expect(!log.stderr.contains("Fatal error"))
  }

  // MARK: - Independent readers (Python prov and rocrate packages)

  func python(_ script: String, in ws: TemporaryWorkspace) throws -> Shell.Output? {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return nil
    }
    return try Shell.run([python, "-c", script], in: ws.root)
  }

  @Test func provJSONLoadsWithThePythonProvPackage() throws {
    let ws = try workspace("prov-provjson")
    defer { ws.destroy() }
    #expect(
      try CLIProcess.run(["run"], in: ws.root, environment: ["ZENODO_TOKEN": "x"]).status == 0)
    let export = try CLIProcess.run(
      ["prov", "export", "--format", "prov-json", "--out", "prov.json"], in: ws.root)
    #expect(export.status == 0, "\(export.stderr)")
    let script = """
      import prov, prov.model as pm
      doc = prov.read('prov.json', format='json')
      count = lambda t: len(list(doc.get_records(t)))
      print(count(pm.ProvEntity), count(pm.ProvActivity), count(pm.ProvUsage), count(pm.ProvGeneration), count(pm.ProvDerivation), count(pm.ProvAgent))
      for e in doc.get_records(pm.ProvEntity):
          attrs = {k.localpart: str(v) for k, v in e.attributes}
          print(attrs['path'], attrs['sha256'])
      """
    guard let out = try python(script, in: ws) else { return }
    #expect(out.status == 0, "\(out.stderr)")
    let lines = out.stdout.split(separator: "\n").map(String.init)
    // input, upper, count, report; 3 activities; 4 usages; 3 generations; 4 derivations; 2 agents
    #expect(lines.first == "4 3 4 3 4 2")
    let sha = try Shell.run(["sha256sum", "report.txt"], in: ws.root).stdout.prefix(64)
    #expect(lines.contains("report.txt \(sha)"))
  }

  @Test func roCrateLoadsWithThePythonRocratePackage() throws {
    let ws = try workspace("prov-rocrate")
    defer { ws.destroy() }
    #expect(
      try CLIProcess.run(["run"], in: ws.root, environment: ["ZENODO_TOKEN": "x"]).status == 0)
    let export = try CLIProcess.run(
      ["prov", "export", "--format", "ro-crate", "--out", "crate"], in: ws.root)
    #expect(export.status == 0, "\(export.stderr)")
    let script = """
      import hashlib, os
      from rocrate.rocrate import ROCrate
      crate = ROCrate('crate')
      profiles = sorted(p.id for p in crate.root_dataset['conformsTo'])
      print('profiles', ' '.join(profiles))
      print('main', crate.mainEntity.id)
      actions = [e for e in crate.get_entities() if e.type == 'CreateAction']
      print('actions', len(actions))
      outputs = set()
      for a in actions:
          for r in a.get('result') or []:
              outputs.add(r.id)
      bad = []
      for f in sorted(outputs):
          e = crate.dereference(f)
          digest = e.get('sha256')
          real = hashlib.sha256(open(os.path.join('crate', f), 'rb').read()).hexdigest()
          if digest != real or e.get('contentSize') != os.path.getsize(os.path.join('crate', f)):
              bad.append(f)
      print('outputs', len(outputs), 'bad', len(bad))
      """
    guard let out = try python(script, in: ws) else { return }
    #expect(out.status == 0, "\(out.stderr)")
    #expect(out.stdout.contains("https://w3id.org/ro/wfrun/provenance/0.5"))
    #expect(out.stdout.contains("main pipelines/main.yaml"))
    // 3 stage actions + the workflow run action.
    #expect(out.stdout.contains("actions 4"))
    #expect(out.stdout.contains("outputs 3 bad 0"))
  }
}
