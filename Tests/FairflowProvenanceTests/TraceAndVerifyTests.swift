import FairflowBase
import FairflowCore
import FairflowEngine
import FairflowGit
import FairflowProvenance
import FairflowStore
import FairflowTesting
import Foundation
import Testing

@Suite struct TraceAndVerifyTests {
  func trace(_ h: ProvenanceHarness, _ path: String) throws -> Tracer.Node {
    let record = try #require(
      try Observer(root: h.ws.root, statCache: StatCache(file: "")).observe(path))
    return try Tracer(store: try h.store(), workspace: h.ws.root).trace(
      path: path, sha256: record.digest.hex, size: record.size)
  }

  @Test func traceWalksBackToTheSourceFileAndCodeCommit() async throws {
    let h = try ProvenanceHarness("trace", pipelines: ["main": threeStages])
    defer { h.ws.destroy() }
    let (summary, _) = try await h.run()
    let node = try trace(h, "report.txt")
    #expect(node.producer?.stage == "report")
    #expect(node.producer?.run == summary.run)
    #expect(node.inputs.map(\.path) == ["upper.txt", "count.txt"])
    let upper = node.inputs[0]
    #expect(upper.producer?.stage == "prepare")
    let source = try #require(upper.inputs.first)
    #expect(source.path == "input.txt")
    #expect(source.producer == nil)
    let head = try h.git("rev-parse", "--short=12", "HEAD").trimmingCharacters(
      in: .whitespacesAndNewlines)
    #expect(source.source == "source file, tracked in git at \(head)")
    // count.txt also depends on upper.txt: shown once in full, then marked as repeated.
    #expect(node.inputs[1].inputs.first?.repeated == true)
    let text = node.text()
    #expect(text.contains("made by stage 'report' in run \(summary.run)"))
    #expect(text.contains("└─ input.txt"))
    #expect(text.contains("code: \(head)"))
    #expect(node.value["inputs"]?.listValue?.count == 2)
  }

  @Test func traceOfFetchedDataEndsAtTheDOI() async throws {
    let pipeline = """
      stages:
        fetch:
          cmd: |
            cp input.txt raw.dat
            echo '{"raw.dat": {"doi": "10.5281/zenodo.3602260", "url": "https://zenodo.org/records/3602260/files/raw.dat"}}' > "$FAIRFLOW_ORIGINS"
          deps: [input.txt]
          outs: [raw.dat]
        features:
          cmd: tr a-z A-Z < raw.dat > features.dat
          deps: [raw.dat]
          outs: [features.dat]
        model:
          cmd: wc -c < features.dat > model.txt
          deps: [features.dat]
          outs: [model.txt]
      """
    let h = try ProvenanceHarness("trace-doi", pipelines: ["main": pipeline])
    defer { h.ws.destroy() }
    let (summary, _) = try await h.run()
    #expect(summary.exitStatus == .success)
    let node = try trace(h, "model.txt")
    let raw = try #require(node.inputs.first?.inputs.first)
    #expect(raw.path == "raw.dat")
    #expect(raw.origin?.doi == "10.5281/zenodo.3602260")
    #expect(node.text().contains("fetched from doi:10.5281/zenodo.3602260"))
  }

  @Test func restoredOutputsTraceToTheRunThatMadeThem() async throws {
    let h = try ProvenanceHarness("trace-restore", pipelines: ["main": threeStages])
    defer { h.ws.destroy() }
    let (first, _) = try await h.run()
    try h.ws.write("input.txt", "something else\n")
    _ = try await h.run()
    try h.ws.write("input.txt", "hello provenance\n")
    let (third, _) = try await h.run()
    #expect(third.count { if case .restored = $0 { true } else { false } } == 3)
    let node = try trace(h, "report.txt")
    #expect(node.producer?.run == first.run)
    #expect(node.restoredBy?.run == third.run)
  }

  @Test func verifyFlagsEditedOutputsAndStoreObjects() async throws {
    let h = try ProvenanceHarness("verify", pipelines: ["main": threeStages])
    defer { h.ws.destroy() }
    _ = try await h.run()
    let verifier = Verifier(store: try h.store(), workspace: h.ws.root)
    var report = try verifier.verify()
    #expect(report.isClean, "\(report.text())")
    #expect(report.checkedFiles == 3 && report.checkedObjects == 3)

    // An edited workspace output (replace the hard link, the store object stays intact).
    try h.ws.remove("count.txt")
    try h.ws.write("count.txt", "999\n")
    report = try verifier.verify()
    #expect(report.modified.map(\.path) == ["count.txt"])
    #expect(report.corruptObjects.isEmpty)
    #expect(!report.isClean)

    // A missing output.
    try h.ws.remove("report.txt")
    report = try verifier.verify()
    #expect(report.missing.map(\.path) == ["report.txt"])

    // An edited store object (write through its path, keeping its name).
    let record = try #require(
      try h.store().records(run: try h.store().runIDs()[0]).first {
        $0.stage == "prepare"
      })
    let digest = try #require(Digest(hex: record.outputs[0].sha256))
    let object = ObjectStore(workspace: h.ws.root).path(of: digest)
    chmod(object, 0o644)
    try h.ws.remove("upper.txt")  // break the hard link first: only the object changes
    try Data("TAMPERED\n".utf8).write(to: URL(fileURLWithPath: object))
    report = try verifier.verify()
    #expect(report.corruptObjects.map(\.path) == ["upper.txt"])
    #expect(report.missing.map(\.path).contains("upper.txt"))
    #expect(report.text().contains("corrupt"))
  }

  @Test func concurrentWritersBothLand() async throws {
    let h = try ProvenanceHarness("cas", pipelines: ["main": threeStages])
    defer { h.ws.destroy() }
    let root = h.ws.root
    let writers = 4
    let runsPerWriter = 15
    // Each writer has its own repository handle (as separate processes would).
    try await withThrowingTaskGroup(of: Void.self) { group in
      for writer in 0..<writers {
        group.addTask {
          let store = try #require(try ProvenanceStore.open(workspace: root, create: true))
          let sig = Repository.Signature(name: "t", email: "t@x")
          for i in 0..<runsPerWriter {
            let run = "2026W\(writer)-\(String(i).leftPadded(2))"
            let blob = try store.repository.writeBlob(Array("{\"w\": \(writer)}".utf8))
            let hex = String(repeating: String(writer), count: 64)
            var previous: ProvenanceStore.RunCommit?
            var records: [ProvenanceStore.StagedRecord] = []
            // Two commits per run (as after each stage): the second holds both records and
            // replaces the first while that is still the tip.
            for step in 0..<2 {
              records.append(
                .init(
                  file: "s\(step).json", blob: blob, outputs: [(hex, "out\(writer).txt", false)]))
              previous = try store.commitRun(
                run: run, records: records, message: "run \(run)\n\nRun: \(run)\n", author: sig,
                previous: previous)
            }
          }
        }
      }
      try await group.waitForAll()
    }
    let store = try h.store()
    #expect(try store.runIDs().count == writers * runsPerWriter)
    for run in try store.runIDs() {
      let tip = try #require(try store.tip())
      let files = try store.repository.treeEntry(
        try store.repository.commit(tip).tree, path: "runs/\(run)")
      let names = try store.repository.treeEntries(try #require(files).id).map(\.name)
      #expect(names == ["outputs.tsv", "s0.json", "s1.json"])
    }
    for writer in 0..<writers {
      let producers = try store.producers(ofSHA256: String(repeating: String(writer), count: 64))
      #expect(producers.count == 2 * runsPerWriter, "every record's index line survived")
      #expect(Set(producers.map(\.run)).count == runsPerWriter)
    }
    #expect(try store.log().count == writers * runsPerWriter)
    let fsck = try Shell.git(["fsck", "--no-dangling"], in: h.ws.root)
    #expect(fsck.status == 0, "\(fsck.stderr)")
  }
}

@Suite struct OutputIndexTests {
  @Test func indexIsCachedRebuiltWhenCorruptAndFollowsNewRuns() async throws {
    let h = try ProvenanceHarness("index", pipelines: ["main": threeStages])
    defer { h.ws.destroy() }
    let (first, _) = try await h.run()
    let sha = try #require(try h.store().records(run: first.run).first { $0.stage == "report" })
      .outputs[0].sha256
    #expect(try h.store().producers(ofSHA256: sha).map(\.run) == [first.run])
    let cache = h.ws.path("cache/state/provenance-index")
    #expect(FileManager.default.fileExists(atPath: cache))

    // A new run changes the tip: the cached index is extended, not trusted.
    try h.ws.write(
      "pipelines/main.yaml",
      threeStages.replacingOccurrences(
        of: "cat upper.txt count.txt", with: "cat count.txt upper.txt"))
    let (second, _) = try await h.run()
    let newSha = try #require(try h.store().records(run: second.run).first { $0.stage == "report" })
      .outputs[0].sha256
    #expect(try h.store().producers(ofSHA256: newSha).map(\.run) == [second.run])
    #expect(try h.store().producers(ofSHA256: sha).map(\.run) == [first.run])

    // A corrupt cache is ignored and rewritten.
    try Data("garbage\n".utf8).write(to: URL(fileURLWithPath: cache))
    #expect(try h.store().producers(ofSHA256: newSha).map(\.run) == [second.run])
    #expect(
      try String(contentsOfFile: cache, encoding: .utf8).hasPrefix("fairflow-provenance-index 1"))
  }

  @Test func manifestEscapesAwkwardPaths() {
    let sha = String(repeating: "e", count: 64)
    let text = OutputIndex.manifest([("a.json", sha, "dir/with\ttab%and\nnewline", true)])
    #expect(text.split(separator: "\n").count == 1)
    #expect(text.contains("with%09tab%25and%0Anewline"))
  }
}

extension String {
  func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
