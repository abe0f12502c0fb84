import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowStore
import FairflowTesting
import Foundation
import Testing

/// What `RunSession` owns: the lock-entry journal merged once, claims that keep overlapping runs
/// apart without touching up-to-date stages, recovery of a killed run's journal, dry runs
/// decided by the run's own code.
@Suite struct RunSessionTests {
  /// `first` is quick; `hold` waits for the file `release` (so a test can look mid-run).
  static let holding = """
    stages:
      first:
        cmd: echo one > one.txt
        outs: [one.txt]
      hold:
        cmd: touch started && while [ ! -f release ]; do sleep 0.02; done && cat one.txt > two.txt
        deps: [one.txt]
        outs: [two.txt]
      other:
        cmd: echo other > other.txt
        outs: [other.txt]
    """

  /// Waits (without blocking a thread of the cooperative pool) for `path` to exist: up to 3,000
  /// naps of 10 ms, counted rather than timed, since a loaded test run can starve the pool for
  /// minutes — the run being waited for then stalls exactly as long as the waiting.
  static func waitFor(_ path: String) async throws -> Bool {
    for _ in 0..<3000 {
      if FileManager.default.fileExists(atPath: path) { return true }
      try await Task.sleep(nanoseconds: 10_000_000)
    }
    return false
  }

  /// The journals in `cache/locks/*/runs/`.
  static func journals(_ h: EngineHarness) throws -> [String] {
    let locks = h.ws.path("cache/locks")
    var found: [String] = []
    for pipeline in (try? FileManager.default.contentsOfDirectory(atPath: locks)) ?? [] {
      let runs = locks + "/" + pipeline + "/runs"
      for name in (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? [] {
        found.append(runs + "/" + name)
      }
    }
    return found
  }

  @Test func finishedStagesAreJournaledAndTheLockFileIsWrittenOnceAtTheEnd() async throws {
    let h = try EngineHarness("journal", pipeline: Self.holding)
    defer { h.ws.destroy() }
    let running = Task { try await h.run(targets: ["hold"]) }
    #expect(try await Self.waitFor(h.ws.path("started")))
    // Mid-run: 'first' finished; its entry is in the run's journal, not yet in the lock file.
    #expect(!h.ws.exists("pipelines/main.lock"))
    let journals = try Self.journals(h)
    #expect(journals.count == 1)
    let contents = RunJournal.parse(
      try h.ws.readBytes(String(journals[0].dropFirst(h.ws.root.count + 1))))
    #expect(contents.claim?.writes == ["first", "hold"])
    #expect(contents.claim?.reads == [])
    #expect(contents.claim?.holder.pid == getpid())
    #expect(contents.entries.map(\.stage) == ["first"])
    try h.ws.write("release", "")
    let summary = try await running.value
    #expect(summary.executed == ["first", "hold"])
    let lock = try LockFile.decode(try h.ws.read("pipelines/main.lock"), file: "main.lock")
    #expect(lock.entries.keys.sorted() == ["first", "hold"])
    #expect(try Self.journals(h).isEmpty, "the journal is removed once merged")
  }

  @Test func aKilledRunsJournalIsMergedByTheNextRun() async throws {
    let h = try EngineHarness("recover", pipeline: Self.holding)
    defer { h.ws.destroy() }
    try h.ws.write("release", "")
    try await h.run()
    let recorded = try h.load().lock
    // What a run killed after 'first' and 'hold' finished leaves: a lock file without their
    // entries and an unlocked journal holding them (the holder record names a gone process).
    try h.ws.write("pipelines/main.lock", "")
    try FileManager.default.removeItem(atPath: h.ws.path("pipelines/main.lock"))
    let claims = StageClaims(workspace: h.ws.root, pipeline: h.file)
    try claims.lockDecision()
    let journal = try claims.register(
      RunJournal.Claim(
        run: "20260101T000000Z-dead",
        holder: WorkspaceLock.Holder(pid: 999_999, host: FileIO.hostname(), started: "then"),
        writes: ["first", "hold"], reads: []))
    try journal.append(try #require(recorded.entries["first"]))
    try journal.append(try #require(recorded.entries["hold"]))
    journal.abandon()
    claims.unlockDecision()

    // gc keeps what the journal references ('first', 'hold'); only 'other' lost its entry.
    let collected = try CacheMaintenance.collectGarbage(h.workspace, dryRun: false)
    #expect(collected.objects == 1 && collected.runEntries == 1)

    let notes = Notes()
    let summary = try await h.run(notes: notes)
    #expect(
      notes.all == [
        "note: merged the 2 lock entries recorded by pid 999999 on \(FileIO.hostname()), started then (that process is gone)"
      ])
    // The journaled stages are up to date, neither restored nor rerun; 'other' runs again.
    #expect(summary.result("first") == .upToDate)
    #expect(summary.result("hold") == .upToDate)
    #expect(summary.executed == ["other"])
    #expect(try Self.journals(h).isEmpty)
    #expect(try h.load().lock.entries.keys.sorted() == ["first", "hold", "other"])
  }

  @Test func aTornJournalTailIsIgnored() throws {
    let h = try EngineHarness("torn", pipeline: Self.holding)
    defer { h.ws.destroy() }
    let entry = LockEntry(
      stage: "first", fingerprint: Digest.of("x"), command: "echo", params: [], env: [],
      deps: [], outs: [PathRecord(path: "one.txt", digest: Digest.of("1"), size: 4)], run: "r")
    let claims = StageClaims(workspace: h.ws.root, pipeline: h.file)
    try claims.lockDecision()
    let journal = try claims.register(
      RunJournal.Claim(
        run: "r", holder: WorkspaceLock.Holder(pid: 1, host: "h", started: "s"),
        writes: ["first"], reads: []))
    try journal.append(entry)
    try journal.append(entry)
    journal.abandon()
    claims.unlockDecision()
    var bytes = try h.ws.readBytes(String(try Self.journals(h)[0].dropFirst(h.ws.root.count + 1)))
    #expect(RunJournal.parse(bytes).entries.count == 2)
    bytes.removeLast(3)  // the second entry torn by a kill mid-write
    #expect(RunJournal.parse(bytes).entries.map(\.stage) == ["first"])
    bytes[bytes.count - 1] ^= 0xff  // a corrupted first entry ends the journal before it
    #expect(RunJournal.parse(Array(bytes.prefix(bytes.count))).claim?.writes == ["first"])
  }

  /// Every file under `cache/` and `pipelines/` with its size and modification time.
  static func tree(_ h: EngineHarness) throws -> [String: String] {
    var files: [String: String] = [:]
    for top in ["cache", "pipelines"] {
      let base = h.ws.path(top)
      for relative in try FileManager.default.subpathsOfDirectory(atPath: base) {
        let attributes = try FileManager.default.attributesOfItem(atPath: base + "/" + relative)
        let date = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        files[top + "/" + relative] = "\(attributes[.size] ?? 0) \(date)"
      }
    }
    return files
  }

  @Test func aRunWithNothingToDoWritesNothing() async throws {
    let h = try EngineHarness("noop", pipeline: chainPipeline)
    defer { h.ws.destroy() }
    try h.ws.write("input.txt", "hello\n")
    try await h.run()
    // The first no-op re-hashes the outputs that were hashed within the stat cache's racy
    // window of their writing (and saves the stat cache); a run with nothing to do writes
    // nothing else, ever.
    try await Task.sleep(nanoseconds: 1_100_000_000)
    var before = try Self.tree(h)
    #expect(try await h.run().count { $0 == .upToDate } == 4)
    var after = try Self.tree(h)
    for path in ["cache/state/stat-cache", "cache/state"] {
      before[path] = nil
      after[path] = nil
    }
    #expect(after == before)
    before = try Self.tree(h)
    #expect(try await h.run().count { $0 == .upToDate } == 4)
    #expect(try Self.tree(h) == before)
    #expect(try Self.journals(h).isEmpty)
  }

  @Test func overlappingRunsWaitOrAreRefusedAndDisjointOnesProceed() async throws {
    let h = try EngineHarness("overlap", pipeline: Self.holding)
    defer { h.ws.destroy() }
    let holder = Task { try await h.run(targets: ["hold"]) }
    #expect(try await Self.waitFor(h.ws.path("started")))

    // Disjoint: 'other' goes ahead while 'hold' runs.
    let disjoint = try await h.session(h.options(targets: ["other"], wait: false)).run()
    #expect(disjoint.executed == ["other"])

    // The whole pipeline selects 'hold', which the first run writes: refused without waiting.
    await #expect(throws: StageClaims.Locked.self) {
      try await h.session(h.options(wait: false)).run()
    }
    do {
      _ = try await h.session(h.options(wait: false)).run()
    } catch let error as StageClaims.Locked {
      #expect(error.stage == "hold")
      #expect(error.holder?.pid == getpid())
      #expect(error.exitStatus == .locked)
    }
    // Forcing 'first', which the running stage reads, is refused too.
    do {
      _ = try await h.session(h.options(targets: ["first"], force: true, wait: false)).run()
      Issue.record("a run writing a stage another run reads must not start")
    } catch let error as StageClaims.Locked {
      #expect(error.stage == "first")
    }

    // Waiting: the second run blocks until the first ends, then finds everything up to date.
    let notes = Notes()
    let waiter = Task { try await h.session(h.options(), notes: notes).run() }
    for _ in 0..<3000 where notes.all.isEmpty { try await Task.sleep(nanoseconds: 10_000_000) }
    #expect(
      notes.all.first?.hasPrefix("waiting for stage 'hold', being run by pid \(getpid()) on ")
        == true)
    try h.ws.write("release", "")
    #expect(try await holder.value.executed == ["first", "hold"])
    let waited = try await waiter.value
    #expect(waited.count { $0 == .upToDate } == 3)
    let lock = try h.load().lock
    #expect(lock.entries.keys.sorted() == ["first", "hold", "other"])
  }

  @Test func dryRunDecidesAsTheRunDoes() async throws {
    let h = try EngineHarness(
      "dry",
      pipeline: """
        stages:
          kept:
            cmd: echo kept > kept.txt
            outs: [{path: kept.txt, persist: true}]
          cached:
            cmd: echo cached > cached.txt
            outs: [cached.txt]
          after:
            cmd: cat cached.txt > after.txt
            deps: [cached.txt]
            outs: [after.txt]
          fresh:
            cmd: cat kept.txt > fresh.txt
            deps: [kept.txt]
            outs: [fresh.txt]
        """)
    defer { h.ws.destroy() }
    #expect(try h.dryRun().text().hasSuffix("4 stage(s) would be processed (dry run).\n"))
    try await h.run()
    #expect(try h.dryRun().text() == "Nothing to do.\n")

    // A persistent output is never restored from the store: the run reruns its stage, and the
    // dry run says so (the status report calls it restorable). A deleted cached output is
    // restored, and the stage after it stays up to date.
    try FileManager.default.removeItem(atPath: h.ws.path("kept.txt"))
    try FileManager.default.removeItem(atPath: h.ws.path("cached.txt"))
    let dry = try h.dryRun()
    #expect(dry.rows.map(\.stage) == ["kept", "cached", "fresh"])
    #expect(dry.rows.map(\.action) == [.run, .restore, .run])
    #expect(dry.text().contains("kept: would run — output `kept.txt` missing\n"), "\(dry.text())")
    #expect(dry.text().contains("cached: would restore from cache — "), "\(dry.text())")
    // Downstream of a stage that runs, the dry run cannot know the new outputs: it says the
    // stage would run; the run finds it up to date when the rerun made the same bytes.
    #expect(
      dry.text().contains(
        "fresh: would run — dependency `kept.txt` missing; upstream stale (kept)\n"),
      "\(dry.text())")
    let summary = try await h.run()
    #expect(summary.executed == ["kept"])
    #expect(summary.restored == ["cached"])
    #expect(summary.result("after") == .upToDate)
    #expect(summary.result("fresh") == .upToDate)

    #expect(try h.dryRun(force: true).rows.allSatisfy { $0.action == .runForced })
    try FileManager.default.removeItem(atPath: h.ws.path("cached.txt"))
    #expect(try h.dryRun(targets: ["after"]).rows.map(\.stage) == ["cached"])
  }

  @Test func builtinStagesRunThroughTheInjectedLauncher() async throws {
    let h = try EngineHarness(
      "launcher",
      pipeline: """
        stages:
          hello:
            uses: repeat-text
            with: {text: "ab"}
            outs: [hello.txt]
        """)
    defer { h.ws.destroy() }
    func session(_ launcher: BuiltinLauncher) -> RunSession {
      var options = h.options()
      options.builtinLauncher = launcher
      return RunSession(
        workspace: h.workspace, pipelineFile: h.file, options: options,
        registry: BuiltinStageTests.registry, reporter: SilentReporter(),
        executor: LocalExecutor(gracePeriod: 1))
    }
    let refused = try await session(.none).run()
    #expect(
      refused.failures.first?.reason
        == "no program to run built-in stages ('uses: repeat-text') was given to the engine")
    // The launcher gets the pipeline file and the stage.
    let launched = try await session(
      BuiltinLauncher { file, stage, overrides in
        ["/bin/sh", "-c", "echo \"$0 $1\" > hello.txt", file, stage] + overrides
      }
    ).run()
    #expect(launched.executed == ["hello"])
    #expect(try h.ws.read("hello.txt") == "\(h.file) hello\n")
  }
}
