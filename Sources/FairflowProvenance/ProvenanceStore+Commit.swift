public import FairflowGit
internal import Glibc

extension ProvenanceStore {
  /// The commit that currently holds a run's records, and that commit's parents (so the next
  /// commit of the same run can replace it while it is still the tip).
  public struct RunCommit: Sendable {
    public var commit: ObjectID
    public var parents: [ObjectID]
    /// The commit's `index/outputs` tree and how many of the run's records it already indexes,
    /// so replacing the commit indexes only the records added since.
    var indexTree: ObjectID?
    var indexedRecords: Int
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
    func producers(_ slice: ArraySlice<StagedRecord>) -> [String: [Producer]] {
      var additions: [String: [Producer]] = [:]
      for record in slice {
        for output in record.outputs where output.sha256.count == 64 {
          additions[output.sha256, default: []].append(
            Producer(run: run, file: record.file, path: output.path))
        }
      }
      return additions
    }
    let committer = Repository.Signature(name: "fairflow", email: "fairflow@localhost")
    var attempt = 0
    while true {
      attempt += 1
      let tip = try self.tip()
      let parents: [ObjectID]
      let amending = previous != nil && tip == previous?.commit
      if let previous, amending {
        parents = previous.parents
      } else {
        parents = tip.map { [$0] } ?? []
      }
      let baseTree = try parents.first.map { id throws(GitError) in try repository.commit(id).tree }
      var tree = try repository.replacingSubtree(in: baseTree, at: ["runs", run], with: runTree)
      // Same base as the commit being replaced: its index already holds the earlier records.
      let indexTree: ObjectID?
      let additions: [String: [Producer]]
      if let previous, amending {
        indexTree = previous.indexTree
        additions = producers(records[min(previous.indexedRecords, records.count)...])
      } else {
        let entry = try repository.treeEntry(tree, path: "index/outputs")
        indexTree = entry?.isTree == true ? entry?.id : nil
        additions = producers(records[...])
      }
      let newIndex = try addToIndex(additions, indexTree: indexTree)
      if let newIndex {
        tree = try repository.replacingSubtree(in: tree, at: ["index", "outputs"], with: newIndex)
      }
      let commit = try repository.writeCommit(
        tree: tree, parents: parents, message: message, author: author, committer: committer)
      do {
        // Objects first, durably, then the ref: a crash never leaves the ref naming a missing
        // object.
        try repository.syncObjects()
        try repository.updateReference(
          Self.ref, to: commit, expected: tip, log: "fairflow: record run \(run)")
        return RunCommit(
          commit: commit, parents: parents, indexTree: newIndex, indexedRecords: records.count)
      } catch  where error.isContention && attempt < maxAttempts {
        // Someone else moved the ref: back off a little (randomised) and rebuild on the new tip.
        usleep(UInt32.random(in: 1_000...(5_000 * UInt32(min(attempt, 10)))))
      }
    }
  }

  /// Merges producer lines into the `index/outputs` tree (`<ab>/<sha256>` blobs of sorted,
  /// unique lines); returns the new tree (nil when there is none and nothing to add).
  func addToIndex(_ additions: [String: [Producer]], indexTree: ObjectID?)
    throws(GitError) -> ObjectID?
  {
    guard !additions.isEmpty else { return indexTree }
    var byPrefix: [String: [(String, [Producer])]] = [:]
    for (hex, producers) in additions {
      byPrefix[String(hex.prefix(2)), default: []].append((hex, producers))
    }
    var prefixChanges: [(name: String, id: ObjectID?, isTree: Bool)] = []
    for (prefix, entries) in byPrefix.sorted(by: { $0.key < $1.key }) {
      let existing = try indexTree.flatMap { root throws(GitError) in
        try repository.treeEntry(root, path: prefix).flatMap { $0.isTree ? $0.id : nil }
      }
      var blobChanges: [(name: String, id: ObjectID?, isTree: Bool)] = []
      for (hex, producers) in entries {
        var lines = producers
        if let existing, let blob = try repository.treeEntry(existing, path: hex), !blob.isTree {
          let text = String(decoding: try repository.readBlob(blob.id), as: UTF8.self)
          lines += text.split(separator: "\n").compactMap(Producer.init(line:))
        }
        let text = Set(lines).sorted().map(\.line).joined(separator: "\n") + "\n"
        blobChanges.append((hex, try repository.writeBlob(Array(text.utf8)), false))
      }
      prefixChanges.append(
        (prefix, try repository.writeTree(base: existing, changes: blobChanges), true))
    }
    return try repository.writeTree(base: indexTree, changes: prefixChanges)
  }
}
