import FairflowGit
import FairflowTesting
import Foundation
import Testing

/// The libgit2 wrapper, checked against the git command line (an independent implementation).
@Suite struct RepositoryTests {
  func repository() throws -> (TemporaryWorkspace, Repository) {
    let ws = try TemporaryWorkspace("git")
    try ws.write("README.md", "hello\n")
    try ws.initGitRepository()
    let repo = try #require(try Repository.discover(from: ws.path("pipelines")))
    return (ws, repo)
  }

  @Test func blobsTreesAndCommitsReadBackWithGit() throws {
    let (ws, repo) = try repository()
    defer { ws.destroy() }
    let blob = try repo.writeBlob(Array("{\"a\": 1}\n".utf8))
    #expect(try Shell.git(["cat-file", "-p", blob.hex], in: ws.root).stdout == "{\"a\": 1}\n")
    #expect(try Shell.git(["hash-object", "--stdin"], in: ws.root).status == 0)

    let inner = try repo.writeTree(base: nil, changes: [("stage.json", blob, false)])
    let root = try repo.replacingSubtree(in: nil, at: ["runs", "R1"], with: inner)
    #expect(try repo.treeEntry(root, path: "runs/R1/stage.json")?.id == blob)
    let commit = try repo.writeCommit(
      tree: root, parents: [], message: "first\n\nRun: R1\n",
      author: .init(name: "A", email: "a@x"), committer: .init(name: "fairflow", email: "f@x"))
    try repo.updateReference("refs/fairflow/test", to: commit, expected: nil, log: "test")
    let listed = try Shell.git(["ls-tree", "-r", "--name-only", "refs/fairflow/test"], in: ws.root)
    #expect(listed.stdout == "runs/R1/stage.json\n")
    let show = try Shell.git(["log", "--format=%an|%cn|%s", "refs/fairflow/test"], in: ws.root)
    #expect(show.stdout == "A|fairflow|first\n")
    #expect(try repo.commit(commit).message == "first\n\nRun: R1\n")
    #expect(try repo.readBlob(blob) == Array("{\"a\": 1}\n".utf8))

    // A second subtree keeps the first; replacing one entry leaves siblings alone.
    let blob2 = try repo.writeBlob(Array("2".utf8))
    let inner2 = try repo.writeTree(base: nil, changes: [("x.json", blob2, false)])
    let root2 = try repo.replacingSubtree(in: root, at: ["runs", "R2"], with: inner2)
    let runs = try #require(try repo.treeEntry(root2, path: "runs"))
    #expect(try repo.treeEntries(runs.id).map(\.name) == ["R1", "R2"])
    let removed = try repo.writeTree(base: inner2, changes: [("x.json", nil, false)])
    #expect(try repo.treeEntries(removed).isEmpty)
  }

  @Test func treeEntriesCarryGitsFileModes() throws {
    let ws = try TemporaryWorkspace("git-modes")
    defer { ws.destroy() }
    try ws.write("run.sh", "#!/bin/sh\n")
    try ws.write("sub/data.txt", "x\n")
    #expect(chmod(ws.path("run.sh"), 0o755) == 0)
    #expect(symlink("sub/data.txt", ws.path("link")) == 0)
    try ws.initGitRepository()
    let repo = try #require(try Repository.discover(from: ws.root))
    let head = try #require(try repo.commitID(revision: "HEAD"))
    let entries = try repo.treeEntries(try repo.commit(head).tree)
    let modes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.mode) })
    #expect(modes["run.sh"] == 0o100755)
    #expect(modes["link"] == 0o120000)
    #expect(modes["sub"] == 0o040000)
    let sub = try #require(entries.first { $0.name == "sub" })
    #expect(try repo.treeEntries(sub.id).map(\.mode) == [0o100644])
  }

  @Test func referenceCompareAndSwapRejectsAStaleExpectation() throws {
    let (ws, repo) = try repository()
    defer { ws.destroy() }
    let tree = try repo.writeTree(base: nil, changes: [])
    let sig = Repository.Signature(name: "t", email: "t@x")
    let a = try repo.writeCommit(tree: tree, parents: [], message: "a", author: sig, committer: sig)
    let b = try repo.writeCommit(
      tree: tree, parents: [a], message: "b", author: sig, committer: sig)
    let c = try repo.writeCommit(
      tree: tree, parents: [a], message: "c", author: sig, committer: sig)
    try repo.updateReference("refs/fairflow/x", to: a, expected: nil, log: "a")
    // Creating again "only if absent" fails: someone else created it.
    let exists = #expect(throws: GitError.self) {
      try repo.updateReference("refs/fairflow/x", to: b, expected: nil, log: "b")
    }
    #expect(exists?.isContention == true)
    try repo.updateReference("refs/fairflow/x", to: b, expected: a, log: "b")
    let stale = #expect(throws: GitError.self) {
      try repo.updateReference("refs/fairflow/x", to: c, expected: a, log: "c")
    }
    #expect(stale?.isContention == true)
    #expect(try repo.reference("refs/fairflow/x") == b)
    #expect(try repo.reference("refs/fairflow/none") == nil)
  }

  @Test func errorsCarryLibgit2Messages() throws {
    let ws = try TemporaryWorkspace("git-err")
    defer { ws.destroy() }
    #expect(try Repository.discover(from: ws.root) == nil)
    let error = #expect(throws: GitError.self) { try Repository.open(ws.root + "/nope") }
    #expect(error?.message.contains("open repository") == true)
    #expect(error?.detail.isEmpty == false)
    #expect(error?.detail != "error \(error?.code ?? 0)", "libgit2's own message, not a code")
  }

  @Test func bareRepositoryIsCreatedOnceAndReopened() throws {
    let ws = try TemporaryWorkspace("git-bare")
    defer { ws.destroy() }
    let path = ws.path("cache/provenance.git")
    let repo = try Repository.openOrCreateBare(at: path)
    #expect(repo.isBare && repo.workingDirectory == nil)
    let blob = try repo.writeBlob([1, 2, 3])
    let again = try Repository.openOrCreateBare(at: path)
    #expect(try again.readBlob(blob) == [1, 2, 3])
    #expect(
      try Shell.git(["--git-dir", path, "cat-file", "-t", blob.hex], in: ws.root).stdout
        == "blob\n")
    #expect(try again.workingState() == nil)
  }

  @Test func workingStateSeesTrackedChangesNotUntrackedFiles() throws {
    let (ws, repo) = try repository()
    defer { ws.destroy() }
    let head = try Shell.git(["rev-parse", "HEAD"], in: ws.root).stdout.trimmingCharacters(
      in: .whitespacesAndNewlines)
    var state = try #require(try repo.workingState())
    #expect(state.head?.hex == head)
    #expect(state.branch == "main")
    #expect(!state.dirty && state.patch.isEmpty)

    try ws.write("output.bin", "untracked output\n")
    state = try #require(try repo.workingState())
    #expect(!state.dirty, "untracked files are not code changes")

    try ws.write("README.md", "hello, world\n")
    state = try #require(try repo.workingState())
    #expect(state.dirty)
    let patch = String(decoding: state.patch, as: UTF8.self)
    #expect(patch.contains("-hello\n+hello, world"))
    // The same change as git's own diff of tracked files.
    let gitDiff = try Shell.git(["diff", "HEAD", "--binary"], in: ws.root).stdout
    #expect(gitDiff.contains("+hello, world"))

    state = try #require(try repo.workingState(ignoring: { $0 == "README.md" }))
    #expect(!state.dirty, "ignored paths (lock files) do not make the code dirty")

    // Detached HEAD: no branch.
    try Shell.git(["checkout", "-q", "--detach"], in: ws.root)
    #expect(try repo.workingState()?.branch == nil)
  }

  @Test func objectIDParsesAndPrintsHex() {
    let hex = "0123456789abcdef0123456789abcdef01234567"
    #expect(ObjectID(hex: hex)?.hex == hex)
    #expect(ObjectID(hex: "xyz") == nil)
    #expect(ObjectID(hex: String(repeating: "g", count: 40)) == nil)
    #expect(!Libgit2.version.isEmpty)
  }
}
