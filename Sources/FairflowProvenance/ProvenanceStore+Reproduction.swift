public import FairflowGit
internal import Glibc

/// Reproduction records beside the runs: `reproductions/<id>.json` on the same ref, committed by
/// compare-and-swap like runs (a commit carries a `Reproduction: <id>` trailer, no `Run:`).
extension ProvenanceStore {
  static let reproductionsDirectory = "reproductions"

  /// Commits `record` on top of the current tip.
  public func commitReproduction(
    _ record: ReproductionRecord, author: Repository.Signature, maxAttempts: Int = 200
  ) throws(GitError) {
    let blob = try repository.writeBlob(Array(record.json.utf8))
    let committer = Repository.Signature(name: "fairflow", email: "fairflow@localhost")
    let message =
      "fairflow: reproduce \(record.artifact): \(record.result)\n\nReproduction: \(record.id)\n"
    var attempt = 0
    while true {
      attempt += 1
      let tip = try self.tip()
      let root = try tip.map { id throws(GitError) in try repository.commit(id).tree }
      let existing = try root.flatMap { tree throws(GitError) in
        try repository.treeEntry(tree, path: Self.reproductionsDirectory)
      }
      let directory = try repository.writeTree(
        base: existing?.isTree == true ? existing?.id : nil,
        changes: [(record.id + ".json", blob, false)])
      let tree = try repository.replacingSubtree(
        in: root, at: [Self.reproductionsDirectory], with: directory)
      let commit = try repository.writeCommit(
        tree: tree, parents: tip.map { [$0] } ?? [], message: message, author: author,
        committer: committer)
      do {
        try repository.syncObjects()
        try updateReferenceClearingStaleLock(commit, expected: tip, run: "reproduction")
        return
      } catch  where error.isContention && attempt < maxAttempts {
        usleep(UInt32.random(in: 1_000...(5_000 * UInt32(min(attempt, 10)))))
      }
    }
  }

  /// Every reproduction recorded, oldest first (ids sort by time).
  public func reproductions() throws -> [ReproductionRecord] {
    guard let tip = try tip() else { return [] }
    let tree = try repository.commit(tip).tree
    guard let directory = try repository.treeEntry(tree, path: Self.reproductionsDirectory),
      directory.isTree
    else { return [] }
    var out: [ReproductionRecord] = []
    for entry in try repository.treeEntries(directory.id).sorted(by: { $0.name < $1.name })
    where !entry.isTree && entry.name.hasSuffix(".json") {
      let bytes = try repository.readBlob(entry.id)
      out.append(
        try ReproductionRecord(
          json: String(decoding: bytes, as: UTF8.self),
          source: "\(Self.reproductionsDirectory)/\(entry.name)"))
    }
    return out
  }
}
