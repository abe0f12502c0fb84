public import FairflowGit
internal import Glibc
internal import FairflowStore

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
    public var outputs: [(sha256: String, path: String, origin: Bool)]

    public init(
      file: String, blob: ObjectID, outputs: [(sha256: String, path: String, origin: Bool)]
    ) {
      self.file = file
      self.blob = blob
      self.outputs = outputs
    }
  }

  /// Commits `records` as `runs/<run>/` (plus its `outputs.tsv`) on top of the current tip with
  /// compare-and-swap, retrying (with a fresh tip) while other writers move the ref. When the
  /// tip is still `previous`, that commit is replaced (amended) rather than stacked on.
  public func commitRun(
    run: String, records: [StagedRecord], message: String, author: Repository.Signature,
    previous: RunCommit?, maxAttempts: Int = 200
  ) throws(GitError) -> RunCommit {
    let manifest = OutputIndex.manifest(
      records.flatMap { record in
        record.outputs.map { (record.file, $0.sha256, $0.path, $0.origin) }
      })
    let manifestBlob = try repository.writeBlob(Array(manifest.utf8))
    let runTree = try repository.writeTree(
      base: nil,
      changes: records.map { ($0.file, $0.blob, false) } + [("outputs.tsv", manifestBlob, false)])
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
      let tree = try repository.replacingSubtree(in: baseTree, at: ["runs", run], with: runTree)
      let commit = try repository.writeCommit(
        tree: tree, parents: parents, message: message, author: author, committer: committer)
      do {
        // Objects first, durably, then the ref: a crash never leaves the ref naming a missing
        // object.
        try repository.syncObjects()
        try updateReferenceClearingStaleLock(commit, expected: tip, run: run)
        return RunCommit(commit: commit, parents: parents)
      } catch  where error.isContention && attempt < maxAttempts {
        // Someone else moved the ref: back off a little (randomised) and rebuild on the new tip.
        usleep(UInt32.random(in: 1_000...(5_000 * UInt32(min(attempt, 10)))))
      }
    }
  }

  /// Moves the ref while holding `fairflow-provenance.flock` in the git directory, which every
  /// fairflow writer takes. libgit2 locks a ref by creating `<ref>.lock`; a fairflow killed in
  /// the middle of an update leaves that file behind and git would refuse every later update.
  /// Under the flock such a file can only belong to a dead fairflow or to a git command of the
  /// user (which holds it for milliseconds): it is waited for up to a second, then removed.
  func updateReferenceClearingStaleLock(_ commit: ObjectID, expected tip: ObjectID?, run: String)
    throws(GitError)
  {
    let repository = self.repository
    let update = { () throws(GitError) in
      try repository.updateReference(
        Self.ref, to: commit, expected: tip, log: "fairflow: record run \(run)")
    }
    let guardFile = repository.gitDirectory + "fairflow-provenance.flock"
    let outcome: Result<Void, GitError>? = try? FileLock.withExclusive(guardFile) {
      let stale = repository.gitDirectory + Self.ref + ".lock"
      var waited = 0
      while access(stale, F_OK) == 0, waited < 100 {
        usleep(10_000)
        waited += 1
      }
      if access(stale, F_OK) == 0 { unlink(stale) }
      do throws(GitError) { return .success(try update()) } catch { return .failure(error) }
    }
    guard let outcome else { return try update() }  // no flock possible: plain update
    try outcome.get()
  }
}
