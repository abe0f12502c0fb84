public import FairflowGit
internal import Glibc

extension ProvenanceStore {
  /// The commit that currently holds a run's records, and that commit's parents (so the next
  /// commit of the same run can replace it while it is still the tip).
  public struct RunCommit: Sendable {
    public var commit: ObjectID
    public var parents: [ObjectID]
  }

  /// A record ready to commit: its blob and the outputs it lists (for the output index).
  public struct StagedRecord: Sendable {
    public var file: String
    public var blob: ObjectID
    public var outputs: [(sha256: String, path: String)]

    public init(file: String, blob: ObjectID, outputs: [(sha256: String, path: String)]) {
      self.file = file
      self.blob = blob
      self.outputs = outputs
    }
  }

  /// Commits `records` as `runs/<run>/` on top of the current tip with compare-and-swap, retrying
  /// (with a fresh tip) while other writers move the ref. When the tip is still `previous`, that
  /// commit is replaced (amended) rather than stacked on.
  public func commitRun(
    run: String, records: [StagedRecord], message: String, author: Repository.Signature,
    previous: RunCommit?, maxAttempts: Int = 200
  ) throws(GitError) -> RunCommit {
    let runTree = try repository.writeTree(
      base: nil, changes: records.map { ($0.file, $0.blob, false) })
    var additions: [String: [Producer]] = [:]
    for record in records {
      for output in record.outputs where output.sha256.count == 64 {
        additions[output.sha256, default: []].append(
          Producer(run: run, file: record.file, path: output.path))
      }
    }
    let committer = Repository.Signature(name: "fairflow", email: "fairflow@localhost")
    var attempt = 0
    while true {
      attempt += 1
      let tip = try self.tip()
      let parents: [ObjectID]
      if let previous, tip == previous.commit {
        parents = previous.parents
      } else {
        parents = tip.map { [$0] } ?? []
      }
      let baseTree = try parents.first.map { id throws(GitError) in try repository.commit(id).tree }
      var tree = try repository.replacingSubtree(in: baseTree, at: ["runs", run], with: runTree)
      tree = try addToIndex(additions, base: baseTree, tree: tree)
      let commit = try repository.writeCommit(
        tree: tree, parents: parents, message: message, author: author, committer: committer)
      do {
        try repository.updateReference(
          Self.ref, to: commit, expected: tip, log: "fairflow: record run \(run)")
        return RunCommit(commit: commit, parents: parents)
      } catch  where error.isContention && attempt < maxAttempts {
        // Someone else moved the ref: back off a little (randomised) and rebuild on the new tip.
        usleep(UInt32.random(in: 1_000...(5_000 * UInt32(min(attempt, 10)))))
      }
    }
  }

  /// Merges producer lines into `index/outputs/<ab>/<sha256>` blobs, starting from `base`'s.
  func addToIndex(_ additions: [String: [Producer]], base: ObjectID?, tree: ObjectID)
    throws(GitError) -> ObjectID
  {
    guard !additions.isEmpty else { return tree }
    var byPrefix: [String: [(String, [Producer])]] = [:]
    for (hex, producers) in additions {
      byPrefix[String(hex.prefix(2)), default: []].append((hex, producers))
    }
    let outputsDir = try repository.treeEntry(tree, path: "index/outputs")
    var prefixChanges: [(name: String, id: ObjectID?, isTree: Bool)] = []
    for (prefix, entries) in byPrefix.sorted(by: { $0.key < $1.key }) {
      let existing = try repository.treeEntry(tree, path: "index/outputs/" + prefix)
      var blobChanges: [(name: String, id: ObjectID?, isTree: Bool)] = []
      for (hex, producers) in entries {
        let merged = Set(try self.producers(in: base, hex: hex) + producers).sorted()
        let text = merged.map(\.line).joined(separator: "\n") + "\n"
        blobChanges.append((hex, try repository.writeBlob(Array(text.utf8)), false))
      }
      let subtree = try repository.writeTree(
        base: existing?.isTree == true ? existing?.id : nil, changes: blobChanges)
      prefixChanges.append((prefix, subtree, true))
    }
    let outputsTree = try repository.writeTree(
      base: outputsDir?.isTree == true ? outputsDir?.id : nil, changes: prefixChanges)
    return try repository.replacingSubtree(in: tree, at: ["index", "outputs"], with: outputsTree)
  }
}
