import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowGit
import FairflowProvenance
import FairflowTesting
import Foundation
import Testing

@Suite struct RecorderTests {
  @Test func oneCommitPerRunWithAReadableMessageAndFullRecords() async throws {
    let h = try ProvenanceHarness("prov-basic", pipelines: ["main": threeStages])
    defer { h.ws.destroy() }
    let (summary, recorder) = try await h.run(environment: ["LANG": "C.UTF-8", "HOME": "/x"])
    #expect(summary.exitStatus == .success)
    let log = try h.git("log", "--format=%s", "refs/fairflow/provenance")
    #expect(log == "fairflow run main: 3 stages, 3 executed, 0 restored\n")
    #expect(recorder.commit != nil)

    let store = try h.store()
    let runs = try store.runIDs()
    #expect(runs == [summary.run])
    let records = try store.records(run: summary.run)
    #expect(Set(records.map(\.stage)) == ["prepare", "count", "report"])
    let count = try #require(records.first { $0.stage == "count" })
    #expect(count.outcome == .executed && count.exitStatus == 0)
    #expect(count.kind == "command")
    #expect(count.command?.contains("<redacted>") == true)
    #expect(count.command?.contains("sk-test") == false)
    #expect(Value.map(count.params)["lr"] == .double(0.01))
    #expect(count.deps.map(\.path) == ["upper.txt"])
    #expect(count.outputs.map(\.path) == ["count.txt"])
    let upper = try Data(contentsOf: URL(fileURLWithPath: h.ws.path("upper.txt")))
    #expect(count.deps[0].size == upper.count)
    #expect(count.started.hasSuffix("Z") && count.started.count == 24)
    #expect(count.fingerprint?.count == 64)
    let code = Value.map(count.context.code)
    let head = try h.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(code["commit"] == .string(head))
    #expect(code["branch"] == .string("main"))
    #expect(code["dirty"] == .bool(false), "untracked outputs and the lock file are not code")
    let env = Value.map(count.context.environment)
    #expect(env["LANG"] == .string("C.UTF-8"))
    #expect(env["HOME"] == nil, "only allow-listed variables are recorded")
    #expect(Value.map(count.context.user)["email"] == .string("ada@example.org"))
    let host = Value.map(count.context.host)
    #expect((host["cores"]?.intValue ?? 0) >= 1)
    #expect(host["hostname"]?.stringValue?.isEmpty == false)
    #expect(Value.map(count.context.software)["fairflow"] == .string(FairflowVersion.current))

    // Plain git reads the record as pretty JSON.
    let shown = try h.git("show", "refs/fairflow/provenance:runs/\(summary.run)/count.json")
    #expect(shown.contains("\"stage\": \"count\""))
    let reparsed = try ProvenanceRecord(json: shown, source: "git show")
    #expect(reparsed == count)
  }

  @Test func upToDateRunsCommitNothingAndRestoresRecordTheirOrigin() async throws {
    let h = try ProvenanceHarness("prov-restore", pipelines: ["main": threeStages])
    defer { h.ws.destroy() }
    let (first, _) = try await h.run()
    let (second, _) = try await h.run()
    #expect(second.count { $0 == .upToDate } == 3)
    #expect(try h.store().runIDs() == [first.run], "a no-op run records nothing")

    // Change a param, then change it back: the second change restores from the run cache.
    // (count.txt comes out identical, so report stays up to date both times.)
    let (third, _) = try await h.run(overrides: ["lr=0.5"])
    #expect(third.count { if case .executed = $0 { true } else { false } } == 1)
    let (fourth, _) = try await h.run()
    let records = try h.store().records(run: fourth.run)
    let count = try #require(records.first { $0.stage == "count" })
    #expect(count.outcome == .restored)
    #expect(count.restoredFrom == first.run)
    #expect(try h.store().runIDs() == [first.run, third.run, fourth.run])
    let subjects = try h.git("log", "--format=%s", "refs/fairflow/provenance")
    #expect(
      subjects.hasPrefix("fairflow run main: 3 stages, 0 executed, 1 restored, 2 up to date\n"))
  }

  @Test func failedStageIsRecordedWithItsExitStatus() async throws {
    let pipeline = """
      stages:
        ok:
          cmd: cp input.txt ok.txt
          deps: [input.txt]
          outs: [ok.txt]
        broken:
          cmd: echo boom >&2; exit 7
          deps: [ok.txt]
          outs: [never.txt]
      """
    let h = try ProvenanceHarness("prov-fail", pipelines: ["main": pipeline])
    defer { h.ws.destroy() }
    let (summary, _) = try await h.run()
    #expect(summary.exitStatus == .failure)
    let broken = try #require(
      try h.store().records(run: summary.run).first { $0.stage == "broken" })
    #expect(broken.outcome == .failed)
    #expect(broken.exitStatus == 7)
    #expect(broken.failure == "exit status 7")
    #expect(broken.outputs.isEmpty)
    let subject = try h.git("log", "-1", "--format=%s", "refs/fairflow/provenance")
    #expect(subject == "fairflow run main: 2 stages, 1 executed, 0 restored, 1 failed\n")
  }

  @Test func declaredOriginsReachRecordsAndTheirConsumers() async throws {
    let pipeline = """
      stages:
        fetch:
          cmd: >-
            cp input.txt raw.dat &&
            printf '{"raw.dat": {"doi": "10.5281/zenodo.3602260", "url": "https://zenodo.org/records/3602260/files/raw.dat", "checksum": "md5:0123", "retrieved": "2026-11-29T10:00:00Z", "title": "Hbb jets"}}' > "$FAIRFLOW_ORIGINS"
          deps: [input.txt]
          outs: [raw.dat]
        convert:
          cmd: tr a-z A-Z < raw.dat > features.dat
          deps: [raw.dat]
          outs: [features.dat]
      """
    let h = try ProvenanceHarness("prov-origin", pipelines: ["main": pipeline])
    defer { h.ws.destroy() }
    let (summary, _) = try await h.run()
    #expect(summary.exitStatus == .success, "\(summary.failures.map(\.message))")
    let records = try h.store().records(run: summary.run)
    let fetch = try #require(records.first { $0.stage == "fetch" })
    let origin = try #require(fetch.outputs.first?.origin)
    #expect(origin.doi == "10.5281/zenodo.3602260")
    #expect(origin.checksum == "md5:0123")
    #expect(Value.map(origin.metadata)["title"] == .string("Hbb jets"))
    let convert = try #require(records.first { $0.stage == "convert" })
    #expect(convert.deps.first?.origin?.doi == "10.5281/zenodo.3602260")

    // A later run that re-executes only the consumer still finds the origin (from the store).
    try h.ws.write(
      "pipelines/main.yaml", pipeline.replacingOccurrences(of: "tr a-z A-Z", with: "tr A-Z a-z"))
    let (second, _) = try await h.run()
    let again = try #require(try h.store().records(run: second.run).first { $0.stage == "convert" })
    #expect(again.deps.first?.origin?.url?.hasPrefix("https://zenodo.org/") == true)
    #expect(!h.ws.exists("cache/logs/\(summary.run)/fetch.origins.json"), "origins file consumed")
  }

  @Test func originsNamingUndeclaredOutputsFailTheStage() async throws {
    let pipeline = """
      stages:
        fetch:
          cmd: |
            echo x > a.txt && echo '{"../etc/passwd": {"url": "https://x"}}' > "$FAIRFLOW_ORIGINS"
          outs: [a.txt]
      """
    let h = try ProvenanceHarness("prov-origin-bad", pipelines: ["main": pipeline])
    defer { h.ws.destroy() }
    let (summary, _) = try await h.run()
    #expect(summary.exitStatus == .failure)
    #expect(summary.failures.first?.reason.contains("not a declared output") == true)
  }

  @Test func workspaceOutsideGitUsesABareRepositoryAndSaysSoOnce() async throws {
    let h = try ProvenanceHarness("prov-bare", pipelines: ["main": threeStages], git: false)
    defer { h.ws.destroy() }
    let notes = NoteLog()
    let (first, _) = try await h.run(notes: notes)
    #expect(notes.all.count == 1)
    #expect(notes.all.first?.contains("cache/provenance.git") == true)
    try h.ws.write("input.txt", "changed\n")
    let (second, _) = try await h.run(notes: notes)
    #expect(notes.all.count == 1, "said once")
    let store = try h.store()
    #expect(store.isFallback)
    #expect(try store.runIDs() == [first.run, second.run])
    let log = try Shell.git(
      [
        "--git-dir", h.ws.path("cache/provenance.git"), "log", "--format=%s",
        "refs/fairflow/provenance",
      ],
      in: h.ws.root)
    #expect(log.stdout.split(separator: "\n").count == 2)
    let record = try #require(try store.records(run: first.run).first)
    #expect(Value.map(record.context.code)["commit"] == .null)
  }

  @Test func dirtyCodeIsRecordedWithADigestOfTheDiff() async throws {
    let h = try ProvenanceHarness("prov-dirty", pipelines: ["main": threeStages])
    defer { h.ws.destroy() }
    try h.ws.write("pipelines/main.yaml", threeStages + "\n# local tweak\n")
    let (summary, _) = try await h.run()
    let record = try #require(try h.store().records(run: summary.run).first)
    let code = Value.map(record.context.code)
    #expect(code["dirty"] == .bool(true))
    #expect(code["diff_sha256"]?.stringValue?.count == 64)
    #expect(try h.git("log", "-1", "--format=%b", "refs/fairflow/provenance").contains("(dirty)"))
  }
}
