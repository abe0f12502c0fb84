import FairflowBase
import FairflowTesting
import Foundation
import Glibc
import Testing

/// The crash harness of issue 10: a multi-stage pipeline is killed with SIGKILL at seeded random
/// moments — `fairflow` itself or one of its running stage processes — and after every kill the
/// cache and the provenance must verify, the next run must complete, and its outputs must be
/// byte-identical to those of an uninterrupted run.
///
/// `FAIRFLOW_CRASH_TRIALS` (default 50) and `FAIRFLOW_CRASH_SEED` (default 1) choose the trials;
/// `scripts/crash-test` runs only this suite.
@Suite struct CrashHarnessTests {
  static let pipeline = """
    stages:
      upper:
        cmd: sleep 0.05 && tr a-z A-Z < input.txt > upper.txt
        deps: [input.txt]
        outs: [upper.txt]
      big:
        cmd: yes "$(cat upper.txt)" | head -c 24000000 > big.bin
        deps: [upper.txt]
        outs: [big.bin]
      parts:
        cmd: mkdir -p parts && for i in 1 2 3 4; do sleep 0.03; cat upper.txt > parts/p$i.txt; echo $i >> parts/p$i.txt; done
        deps: [upper.txt]
        outs: [parts]
      count:
        cmd: sleep 0.1 && wc -c < big.bin > count.txt && cat parts/p*.txt | wc -l >> count.txt
        deps: [big.bin, parts]
        outs: [count.txt]
      summary:
        cmd: sha256sum big.bin count.txt parts/p1.txt > summary.txt
        deps: [big.bin, count.txt, parts]
        outs: [summary.txt]
    """
  static let outputs = [
    "upper.txt", "big.bin", "parts/p1.txt", "parts/p2.txt", "parts/p3.txt", "parts/p4.txt",
    "count.txt", "summary.txt",
  ]

  func makeWorkspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/main.yaml", Self.pipeline)
    try ws.write("input.txt", "crash consistency\n")
    try ws.write(".gitignore", "cache/\n")
    try ws.initGitRepository()
    return ws
  }

  func snapshot(_ ws: TemporaryWorkspace) throws -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    for path in Self.outputs { files[path] = try ws.readBytes(path) }
    return files
  }

  /// The processes whose parent is `pid` (the stage process-group leaders of a run).
  static func children(of pid: Int32) -> [Int32] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.flatMap { tid -> [Int32] in
      let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/children", encoding: .utf8))
      return (text ?? "").split(separator: " ").compactMap { Int32($0) }
    }
  }

  struct Tally {
    var trials = 0
    var fairflowKills = 0
    var stageKills = 0
    var finishedBeforeKill = 0
    var orphansStopped = 0
    var verifications = 0
    var cleanVerifications = 0
    var identicalReruns = 0
  }

  /// `cache verify` and `prov verify` (a workspace killed before its first commit has no
  /// provenance yet, which `prov verify` says with status 1 and that message).
  func verify(_ ws: TemporaryWorkspace, _ tally: inout Tally, _ label: String) throws {
    let cache = try CLIProcess.run(["cache", "verify"], in: ws.root)
    let prov = try CLIProcess.run(["prov", "verify"], in: ws.root)
    let noProvenanceYet = prov.stderr.contains("no provenance recorded in this workspace yet")
    tally.verifications += 2
    if cache.status == 0 { tally.cleanVerifications += 1 }
    if prov.status == 0 || noProvenanceYet { tally.cleanVerifications += 1 }
    #expect(cache.status == 0, "\(label): cache verify\n\(cache.stdout)\(cache.stderr)")
    #expect(
      prov.status == 0 || noProvenanceYet, "\(label): prov verify\n\(prov.stdout)\(prov.stderr)")
  }

  @Test func killedRunsLeaveVerifiableStateAndTheNextRunMatches() throws {
    let environment = ProcessInfo.processInfo.environment
    let trials = environment["FAIRFLOW_CRASH_TRIALS"].flatMap { Int($0) } ?? 50
    let seed = environment["FAIRFLOW_CRASH_SEED"].flatMap { UInt64($0) } ?? 1
    var random = SplitMix64(state: seed)

    let reference = try makeWorkspace("crash-reference")
    defer { reference.destroy() }
    let started = Date()
    let first = try CLIProcess.run(["run", "-j", "2"], in: reference.root)
    let referenceSeconds = Date().timeIntervalSince(started)
    try #require(first.status == 0, "\(first.stderr)")
    let expected = try snapshot(reference)

    var tally = Tally()
    for trial in 1...trials {
      let label = "trial \(trial) (seed \(seed))"
      let ws = try makeWorkspace("crash-\(trial)")
      defer { ws.destroy() }
      let killStage = Double.random(in: 0..<1, using: &random) < 0.35
      let delay = Double.random(in: 0.01...(referenceSeconds * 0.95), using: &random)
      let (process, out, err) = try CLIProcess.start(["run", "-j", "2"], in: ws.root)
      // Drain the pipes concurrently so a chatty run never blocks on a full pipe.
      final class Sink: @unchecked Sendable { var data = Data() }
      let sinks = (Sink(), Sink())
      let drained = DispatchGroup()
      for (handle, sink) in [
        (out.fileHandleForReading, sinks.0), (err.fileHandleForReading, sinks.1),
      ] {
        DispatchQueue.global().async(group: drained) { sink.data = handle.readDataToEndOfFile() }
      }
      let pid = process.processIdentifier
      Thread.sleep(forTimeInterval: delay)
      if killStage {
        // Kill a running stage process (waiting for one to exist) instead of fairflow.
        var victim: Int32?
        let deadline = Date().addingTimeInterval(referenceSeconds * 2)
        while process.isRunning, Date() < deadline {
          let children = Self.children(of: pid)
          if !children.isEmpty {
            victim = children[Int.random(in: 0..<children.count, using: &random)]
            break
          }
          Thread.sleep(forTimeInterval: 0.005)
        }
        if let victim, kill(victim, SIGKILL) == 0 {
          tally.stageKills += 1
        } else {
          tally.finishedBeforeKill += 1
        }
      } else if process.isRunning, kill(pid, SIGKILL) == 0 {
        tally.fairflowKills += 1
      } else {
        tally.finishedBeforeKill += 1
      }
      process.waitUntilExit()
      drained.wait()
      let stderr = String(decoding: sinks.1.data, as: UTF8.self)
      #expect(!stderr.contains("Fatal error"), "\(label): \(stderr)")
      if killStage {
        // fairflow survives a killed stage: it reports the failure (status 1) or had finished.
        #expect(
          process.terminationReason == .exit && [0, 1].contains(process.terminationStatus),
          "\(label): status \(process.terminationStatus)\n\(stderr)")
      }
      try verify(ws, &tally, label + " after the kill")

      let again = try CLIProcess.run(["run", "-j", "2"], in: ws.root)
      #expect(again.status == 0, "\(label): the next run failed\n\(again.stderr)")
      if again.stderr.contains("left running by a killed run") { tally.orphansStopped += 1 }
      if again.status == 0, try snapshot(ws) == expected {
        tally.identicalReruns += 1
      } else {
        Issue.record("\(label): outputs differ from the uninterrupted run")
      }
      try verify(ws, &tally, label + " after the next run")
      let fsck = try Shell.git(["fsck", "--strict", "--no-progress"], in: ws.root)
      #expect(fsck.status == 0, "\(label): git fsck\n\(fsck.stdout)\(fsck.stderr)")
      tally.trials += 1
    }
    print(
      """
      crash harness: \(tally.trials) trials (seed \(seed), uninterrupted run \
      \(String(format: "%.2f", referenceSeconds)) s): \(tally.fairflowKills) fairflow kills, \
      \(tally.stageKills) stage kills, \(tally.finishedBeforeKill) runs finished before the kill, \
      \(tally.orphansStopped) orphaned stages stopped by the next run; verifications clean \
      \(tally.cleanVerifications)/\(tally.verifications); next runs byte-identical \
      \(tally.identicalReruns)/\(tally.trials)
      """)
    #expect(tally.identicalReruns == trials)
    #expect(tally.cleanVerifications == tally.verifications)
  }
}
