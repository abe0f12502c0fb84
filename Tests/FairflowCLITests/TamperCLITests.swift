import FairflowTesting
import Foundation
import Glibc
import Testing

/// Tampering that `cache verify` and `prov verify` must detect (issue 10 §5): an edited object in
/// `cache/objects`, an edited or garbled lock file, and a rewritten provenance commit.
@Suite struct TamperCLITests {
  static let pipeline = """
    stages:
      upper:
        cmd: tr a-z A-Z < input.txt > upper.txt
        deps: [input.txt]
        outs: [upper.txt]
      double:
        cmd: cat upper.txt upper.txt > double.txt
        deps: [upper.txt]
        outs: [double.txt]
    """

  func workspace(_ name: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/main.yaml", Self.pipeline)
    try ws.write("input.txt", "evidence\n")
    try ws.write(".gitignore", "cache/\n")
    try ws.initGitRepository()
    let run = try CLIProcess.run(["run"], in: ws.root)
    try #require(run.status == 0, "\(run.stderr)")
    for command in [["cache", "verify"], ["prov", "verify"]] {
      let clean = try CLIProcess.run(command, in: ws.root)
      try #require(clean.status == 0, "\(command): \(clean.stdout)\(clean.stderr)")
    }
    return ws
  }

  func git(_ ws: TemporaryWorkspace, _ arguments: [String], environment: [String: String] = [:])
    throws -> String
  {
    let out = try Shell.run(["git"] + arguments, in: ws.root, environment: environment)
    #expect(out.status == 0, "git \(arguments): \(out.stderr)")
    return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func editedObjectIsCorrupt() throws {
    let ws = try workspace("tamper-object")
    defer { ws.destroy() }
    // The object of double.txt, named by its SHA-256.
    let digest = try Shell.run(["sha256sum", "double.txt"], in: ws.root).stdout.prefix(64)
    let object = ws.path("cache/objects/\(digest.prefix(2))/\(digest.dropFirst(2))")
    #expect(FileManager.default.fileExists(atPath: object))
    try ws.remove("double.txt")  // break the hard link: only the object changes
    chmod(object, 0o644)
    try Data("EVIDENCE\nforged\n".utf8).write(to: URL(fileURLWithPath: object))
    let cache = try CLIProcess.run(["cache", "verify"], in: ws.root)
    #expect(cache.status == 1)
    #expect(cache.stdout.contains("corrupt: object \(digest)"), "\(cache.stdout)")
    let prov = try CLIProcess.run(["prov", "verify"], in: ws.root)
    #expect(prov.status == 1)
    #expect(prov.stdout.contains("corrupt"), "\(prov.stdout)")
  }

  @Test func editedLockFileDisagreesWithRunCacheAndRecords() throws {
    let ws = try workspace("tamper-lock")
    defer { ws.destroy() }
    let lock = try ws.read("pipelines/main.lock")
    let upper = String(try Shell.run(["sha256sum", "upper.txt"], in: ws.root).stdout.prefix(64))
    let double = String(try Shell.run(["sha256sum", "double.txt"], in: ws.root).stdout.prefix(64))
    // Claim that 'double' produced upper.txt's content: a valid digest of an existing object.
    let forged = lock.replacingOccurrences(
      of: "\"digest\":\"\(double)\"", with: "\"digest\":\"\(upper)\"")
    #expect(forged != lock)
    try ws.write("pipelines/main.lock", forged)
    let cache = try CLIProcess.run(["cache", "verify"], in: ws.root)
    #expect(cache.status == 1)
    #expect(
      cache.stdout.contains("lock: pipelines/main.lock: stage 'double'")
        && cache.stdout.contains("disagrees with run-cache entry"), "\(cache.stdout)")
    let prov = try CLIProcess.run(["prov", "verify"], in: ws.root)
    #expect(prov.status == 1)
    #expect(prov.stdout.contains("stage 'double' disagrees with run"), "\(prov.stdout)")

    // A garbled lock file is reported by both, with its name, instead of crashing them.
    try ws.write("pipelines/main.lock", String(lock.prefix(lock.count / 2)) + "\n  ]]: {\n")
    let garbledCache = try CLIProcess.run(["cache", "verify"], in: ws.root)
    #expect(garbledCache.status == 1)
    #expect(
      garbledCache.stdout.contains("pipelines/main.lock is unreadable"), "\(garbledCache.stdout)")
    let garbledProv = try CLIProcess.run(["prov", "verify"], in: ws.root)
    #expect(garbledProv.status == 1)
    #expect(garbledProv.stdout.contains("pipelines/main.lock is unreadable"))
  }

  @Test func rewrittenProvenanceCommitIsDetected() throws {
    let ws = try workspace("tamper-prov")
    defer { ws.destroy() }
    let tip = try git(ws, ["rev-parse", "refs/fairflow/provenance"])
    let run = try git(ws, ["ls-tree", "--name-only", tip, "runs/"])
    let path = "\(run)/double.json"
    // Rewrite one record (the command it claims ran), then build a consistent new commit on
    // the same parents and force the ref to it, as a forger with git would.
    let record = try git(ws, ["cat-file", "-p", "\(tip):\(path)"])
    let edited = record.replacingOccurrences(of: "cat upper.txt upper.txt", with: "cp upper.txt")
    #expect(edited != record)
    let blob = try Shell.run(
      ["git", "hash-object", "-w", "--stdin"], in: ws.root, input: Data((edited + "\n").utf8)
    ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let index = ["GIT_INDEX_FILE": ws.path("forged-index")]
    _ = try git(ws, ["read-tree", tip], environment: index)
    _ = try git(ws, ["update-index", "--cacheinfo", "100644,\(blob),\(path)"], environment: index)
    let tree = try git(ws, ["write-tree"], environment: index)
    let message = try git(ws, ["log", "-1", "--format=%B", tip])
    let forged = try git(ws, ["commit-tree", tree, "-m", message])
    _ = try git(ws, ["update-ref", "refs/fairflow/provenance", forged])
    let fsck = try Shell.git(["fsck", "--strict"], in: ws.root)
    #expect(fsck.status == 0, "git itself sees a consistent repository")

    let prov = try CLIProcess.run(["prov", "verify"], in: ws.root)
    #expect(prov.status == 1)
    #expect(prov.stdout.contains("rewritten \(path): blob"), "\(prov.stdout)")
    let json = try CLIProcess.run(["prov", "verify", "--json"], in: ws.root)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect((object["rewritten"] as? [[String: Any]])?.count == 1)

    // Deleting the whole history is not "nothing recorded yet".
    _ = try git(ws, ["update-ref", "-d", "refs/fairflow/provenance"])
    let gone = try CLIProcess.run(["prov", "verify"], in: ws.root)
    #expect(gone.status == 1)
    #expect(gone.stderr.contains("refs/fairflow/provenance is gone"), "\(gone.stderr)")
  }
}
