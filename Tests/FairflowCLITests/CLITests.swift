import Foundation
import FairflowTesting
import Testing

@Suite struct CLITests {
  static let pipeline = """
    pipeline: demo
    params: {n: 3}
    stages:
      make:
        cmd: seq ${params.n} > numbers.txt
        outs: [numbers.txt]
      sum:
        cmd: awk '{s+=$1} END {print s}' numbers.txt > sum.txt
        deps: [numbers.txt]
        outs: [sum.txt]
    """

  func workspace(_ text: String = pipeline) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace("cli")
    try ws.write("pipelines/demo.yaml", text)
    return ws
  }

  @Test func runStatusAndExitCodes() throws {
    let ws = try workspace()
    defer { ws.destroy() }
    let first = try CLIProcess.run(["run"], in: ws.root)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("✔ make: executed in"))
    #expect(first.stdout.contains("2 stages: 2 executed, 0 restored, 0 up to date"))
    #expect(!first.stdout.contains("\u{1B}["), "no escape codes when stdout is not a TTY")
    #expect(try ws.read("sum.txt") == "6\n")

    let status = try CLIProcess.run(["status", "demo", "-p", "n=4"], in: ws.root)
    #expect(status.status == 0)
    #expect(
      status.stdout == """
        make: stale
            command changed
            param `n` 3→4
        sum: stale
            upstream stale (make)
        2 of 2 stages stale.

        """)

    let second = try CLIProcess.run(["run", "demo"], in: ws.root)
    #expect(second.stdout.contains("2 stages: 0 executed, 0 restored, 2 up to date"))
  }

  @Test func statusAndDagJSON() throws {
    let ws = try workspace()
    defer { ws.destroy() }
    let status = try CLIProcess.run(["status", "--json"], in: ws.root)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    #expect(object["schema"] as? Int == 1)
    let stages = try #require(object["stages"] as? [[String: Any]])
    #expect(stages.map { $0["name"] as? String } == ["make", "sum"])
    #expect(stages[0]["state"] as? String == "stale")
    let reasons = try #require(stages[0]["reasons"] as? [[String: Any]])
    #expect(reasons.first?["code"] as? String == "never_run")

    let dag = try CLIProcess.run(["dag", "--format", "json"], in: ws.root)
    let graph = try #require(
      try JSONSerialization.jsonObject(with: Data(dag.stdout.utf8)) as? [String: Any])
    let nodes = try #require(graph["stages"] as? [[String: Any]])
    #expect(nodes[1]["upstream"] as? [String] == ["make"])
    #expect(
      try CLIProcess.run(["dag", "--format", "dot"], in: ws.root).stdout.contains(
        "\"make\" -> \"sum\";"))
    #expect(
      try CLIProcess.run(["dag", "--format", "mermaid"], in: ws.root).stdout.contains("s0 --> s1"))
    #expect(try CLIProcess.run(["dag"], in: ws.root).stdout == "make\nsum <- make\n")
  }

  @Test func invalidInputExitsTwoWithLocation() throws {
    let ws = try workspace(Self.pipeline.replacingOccurrences(of: "deps:", with: "dpes:"))
    defer { ws.destroy() }
    let result = try CLIProcess.run(["validate"], in: ws.root)
    #expect(result.status == 2)
    #expect(
      result.stderr == """
        pipelines/demo.yaml:9:5: error: unknown key 'dpes' in stage 'sum'
                dpes: [numbers.txt]
                ^
        hint: did you mean 'deps'?

        """)
    try ws.write("pipelines/demo.yaml", Self.pipeline)
    let usage = try CLIProcess.run(["run", "-j", "0"], in: ws.root)
    #expect(usage.status == 2)
    #expect(usage.stderr.contains("-j must be at least 1"))
    let unknownOption = try CLIProcess.run(["run", "--frobnicate"], in: ws.root)
    #expect(unknownOption.status == 2)
    let unknownParam = try CLIProcess.run(["run", "-p", "m=1"], in: ws.root)
    #expect(unknownParam.status == 2)
    #expect(unknownParam.stderr.contains("error: unknown parameter 'm' in -p m=1"))
    #expect(unknownParam.stderr.contains("hint: did you mean 'n'?"))
    let noPipeline = try CLIProcess.run(["run", "dmeo"], in: ws.root)
    #expect(noPipeline.status == 2)
    #expect(noPipeline.stderr.contains("hint: did you mean 'demo'?"))
  }

  @Test func failingStageExitsOneNamingStageCommandAndLog() throws {
    let ws = try workspace(
      Self.pipeline.replacingOccurrences(
        of: "seq ${params.n} > numbers.txt", with: "seq 3 > numbers.txt && false"))
    defer { ws.destroy() }
    let result = try CLIProcess.run(["run"], in: ws.root)
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "error: stage 'make' failed: exit status 1\n  command: seq 3 > numbers.txt && false\n  log: cache/logs/"
      ))
    #expect(!ws.exists("sum.txt"))
  }

  @Test func interruptLeavesConsistentCacheAndNextRunCompletes() throws {
    let ws = try workspace(
      """
      stages:
        first:
          cmd: echo one > one.txt
          outs: [one.txt]
        slow:
          cmd: touch started && if [ ! -f quick ]; then sleep 30; fi && cat one.txt > two.txt
          deps: [one.txt]
          outs: [two.txt]
      """)
    defer { ws.destroy() }
    let (process, out, err) = try CLIProcess.start(["run", "-j", "1"], in: ws.root)
    #expect(CLIProcess.waitFor(ws.path("started")))
    process.interrupt()
    _ = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 130, "\(stderr)")
    #expect(stderr.contains("interrupted"))
    let verify = try CLIProcess.run(["cache", "verify"], in: ws.root)
    #expect(verify.status == 0, "\(verify.stdout)")
    try ws.write("quick", "")
    let again = try CLIProcess.run(["run"], in: ws.root)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("2 stages: 1 executed, 0 restored, 1 up to date"))
    #expect(try ws.read("two.txt") == "one\n")
  }

  @Test func overlappingRunsWaitOrExitThreeAndDisjointRunsProceed() throws {
    let ws = try workspace(
      """
      stages:
        hold:
          cmd: touch started && while [ ! -f release ]; do sleep 0.05; done && echo x > x.txt
          outs: [x.txt]
        other:
          cmd: echo y > y.txt
          outs: [y.txt]
      """)
    defer { ws.destroy() }
    let (holder, out, err) = try CLIProcess.start(["run", "--stage", "hold"], in: ws.root)
    #expect(CLIProcess.waitFor(ws.path("started")))

    // A run on another stage goes ahead while 'hold' is still running.
    let disjoint = try CLIProcess.run(["run", "--stage", "other", "--no-wait"], in: ws.root)
    #expect(disjoint.status == 0, "\(disjoint.stderr)")
    #expect(try ws.read("y.txt") == "y\n")
    #expect(holder.isRunning)

    // The whole pipeline overlaps 'hold': refused with --no-wait, naming the holder.
    let refused = try CLIProcess.run(["run", "--no-wait"], in: ws.root)
    #expect(refused.status == 3)
    #expect(
      refused.stderr.contains(
        "error: stage 'hold' is being run by another fairflow run (pid \(holder.processIdentifier) on "
      ), "\(refused.stderr)")

    let (waiter, waiterOut, waiterErr) = try CLIProcess.start(["run"], in: ws.root)
    Thread.sleep(forTimeInterval: 0.5)
    try ws.write("release", "")
    _ = out.fileHandleForReading.readDataToEndOfFile()
    _ = err.fileHandleForReading.readDataToEndOfFile()
    holder.waitUntilExit()
    let waited = String(
      decoding: waiterOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let waitedErr = String(
      decoding: waiterErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    waiter.waitUntilExit()
    #expect(holder.terminationStatus == 0)
    #expect(waiter.terminationStatus == 0)
    #expect(
      waitedErr.contains(
        "waiting for stage 'hold', being run by pid \(holder.processIdentifier) on "),
      "\(waitedErr)")
    #expect(waited.contains("2 stages: 0 executed, 0 restored, 2 up to date"), "\(waited)")
    // Both runs' entries survived in the one lock file.
    let lock = try ws.read("pipelines/demo.lock")
    #expect(lock.contains("\"hold\":") && lock.contains("\"other\":"), "\(lock)")
  }

  @Test func cacheGCWaitsForNoRunButRefusesWhileOneIsGoing() throws {
    let ws = try workspace(
      """
      stages:
        hold:
          cmd: touch started && while [ ! -f release ]; do sleep 0.05; done && echo x > x.txt
          outs: [x.txt]
      """)
    defer { ws.destroy() }
    let (holder, out, err) = try CLIProcess.start(["run"], in: ws.root)
    #expect(CLIProcess.waitFor(ws.path("started")))
    let gc = try CLIProcess.run(["cache", "gc"], in: ws.root)
    #expect(gc.status == 3)
    #expect(gc.stderr.contains("error: the workspace is locked by another fairflow run"))
    try ws.write("release", "")
    _ = out.fileHandleForReading.readDataToEndOfFile()
    _ = err.fileHandleForReading.readDataToEndOfFile()
    holder.waitUntilExit()
    #expect(try CLIProcess.run(["cache", "gc"], in: ws.root).status == 0)
  }

  @Test func verboseStreamsPrefixedOutput() throws {
    let ws = try workspace(
      """
      stages:
        talk:
          cmd: echo hello && echo to-stderr >&2 && echo x > x.txt
          outs: [x.txt]
      """)
    defer { ws.destroy() }
    let result = try CLIProcess.run(["run", "-v"], in: ws.root)
    #expect(result.stdout.contains("[talk] hello\n"))
    #expect(result.stdout.contains("[talk] to-stderr\n"))
    let logs = try FileManager.default.subpathsOfDirectory(atPath: ws.path("cache/logs")).filter {
      $0.hasSuffix("talk.log")
    }
    let log = try ws.read("cache/logs/" + (try #require(logs.first)))
    #expect(log == "hello\nto-stderr\n")
  }

  @Test func cacheHashMatchesKnownDigest() throws {
    let ws = try workspace()
    defer { ws.destroy() }
    try ws.write("abc.txt", "abc")
    let result = try CLIProcess.run(["cache", "hash", "abc.txt"], in: ws.root)
    #expect(
      result.stdout == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc.txt\n"
    )
  }
}
