internal import CGit2
internal import Glibc

/// An open git repository. Owns its libgit2 handle; every object looked up inside a method is
/// freed before the method returns, so callers only ever see Swift values.
///
/// Not thread-safe (libgit2 repositories are not): use one `Repository` per thread or task.
public final class Repository {
  let handle: OpaquePointer
  /// The `.git` directory (or the bare repository itself), with a trailing '/'.
  public let gitDirectory: String
  /// The working tree, or nil for a bare repository.
  public let workingDirectory: String?

  private init(handle: OpaquePointer) {
    self.handle = handle
    gitDirectory = String(cString: git_repository_path(handle))
    workingDirectory = git_repository_workdir(handle).map { String(cString: $0) }
  }

  deinit { git_repository_free(handle) }

  public var isBare: Bool { git_repository_is_bare(handle) != 0 }

  /// Opens the repository at `path` (a working tree or a bare repository).
  public static func open(_ path: String) throws(GitError) -> Repository {
    Libgit2.ensureInitialized()
    var handle: OpaquePointer?
    try check(git_repository_open(&handle, path), "open repository at \(path)")
    return Repository(handle: handle!)
  }

  /// The repository containing `path` (searching parent directories, not crossing file systems),
  /// or nil when `path` is not inside one.
  public static func discover(from path: String) throws(GitError) -> Repository? {
    Libgit2.ensureInitialized()
    var buffer = git_buf()
    defer { git_buf_dispose(&buffer) }
    let result = git_repository_discover(&buffer, path, 0, nil)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    try check(result, "discover repository from \(path)")
    return try open(String(cString: buffer.ptr))
  }

  /// Opens the bare repository at `path`, creating it first when absent.
  public static func openOrCreateBare(at path: String) throws(GitError) -> Repository {
    Libgit2.ensureInitialized()
    var handle: OpaquePointer?
    if git_repository_open_bare(&handle, path) == 0, let handle {
      return Repository(handle: handle)
    }
    try check(git_repository_init(&handle, path, 1), "create bare repository at \(path)")
    return Repository(handle: handle!)
  }

  // MARK: - Blobs

  public func writeBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
    var oid = git_oid()
    let result = bytes.withUnsafeBytes { buffer in
      git_blob_create_from_buffer(&oid, handle, buffer.baseAddress, buffer.count)
    }
    try check(result, "write blob")
    return ObjectID(oid)
  }

  public func readBlob(_ id: ObjectID) throws(GitError) -> [UInt8] {
    var oid = id.raw
    var blob: OpaquePointer?
    try check(git_blob_lookup(&blob, handle, &oid), "read blob \(id.short)")
    defer { git_blob_free(blob) }
    let size = Int(git_blob_rawsize(blob))
    guard size > 0, let content = git_blob_rawcontent(blob) else { return [] }
    return Array(UnsafeRawBufferPointer(start: content, count: size))
  }

  // MARK: - Trees

  public struct TreeEntry: Sendable, Equatable {
    public var name: String
    public var id: ObjectID
    public var isTree: Bool
    /// git's file mode: 0o100644 file, 0o100755 executable, 0o120000 symlink, 0o040000 tree,
    /// 0o160000 submodule (0 when not read).
    public var mode: UInt32

    public init(name: String, id: ObjectID, isTree: Bool, mode: UInt32 = 0) {
      self.name = name
      self.id = id
      self.isTree = isTree
      self.mode = mode
    }
  }

  /// The entries of tree `id`, in git's order.
  public func treeEntries(_ id: ObjectID) throws(GitError) -> [TreeEntry] {
    var oid = id.raw
    var tree: OpaquePointer?
    try check(git_tree_lookup(&tree, handle, &oid), "read tree \(id.short)")
    defer { git_tree_free(tree) }
    var entries: [TreeEntry] = []
    let count = git_tree_entrycount(tree)
    entries.reserveCapacity(count)
    for i in 0..<count {
      guard let entry = git_tree_entry_byindex(tree, i) else { continue }
      entries.append(
        TreeEntry(
          name: String(cString: git_tree_entry_name(entry)),
          id: ObjectID(git_tree_entry_id(entry).pointee),
          isTree: git_tree_entry_type(entry) == GIT_OBJECT_TREE,
          mode: UInt32(git_tree_entry_filemode(entry).rawValue)))
    }
    return entries
  }

  /// The entry at `path` ("runs/ID/stage.json") below tree `root`, or nil.
  public func treeEntry(_ root: ObjectID, path: String) throws(GitError) -> TreeEntry? {
    var oid = root.raw
    var tree: OpaquePointer?
    try check(git_tree_lookup(&tree, handle, &oid), "read tree \(root.short)")
    defer { git_tree_free(tree) }
    var entry: OpaquePointer?
    let result = git_tree_entry_bypath(&entry, tree, path)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    try check(result, "look up \(path)")
    defer { git_tree_entry_free(entry) }
    return TreeEntry(
      name: String(cString: git_tree_entry_name(entry)),
      id: ObjectID(git_tree_entry_id(entry).pointee),
      isTree: git_tree_entry_type(entry) == GIT_OBJECT_TREE)
  }

  /// Writes a tree: `base`'s entries (if any) with `changes` applied (a nil id removes the name).
  public func writeTree(
    base: ObjectID?, changes: [(name: String, id: ObjectID?, isTree: Bool)]
  ) throws(GitError) -> ObjectID {
    var baseTree: OpaquePointer?
    if let base {
      var oid = base.raw
      try check(git_tree_lookup(&baseTree, handle, &oid), "read tree \(base.short)")
    }
    defer { if let baseTree { git_tree_free(baseTree) } }
    var builder: OpaquePointer?
    try check(git_treebuilder_new(&builder, handle, baseTree), "start tree")
    defer { git_treebuilder_free(builder) }
    for change in changes {
      if var oid = change.id?.raw {
        let mode = change.isTree ? GIT_FILEMODE_TREE : GIT_FILEMODE_BLOB
        try check(
          git_treebuilder_insert(nil, builder, change.name, &oid, mode),
          "add '\(change.name)' to tree")
      } else if git_treebuilder_get(builder, change.name) != nil {
        try check(git_treebuilder_remove(builder, change.name), "remove '\(change.name)'")
      }
    }
    var out = git_oid()
    try check(git_treebuilder_write(&out, builder), "write tree")
    return ObjectID(out)
  }

  /// Replaces (or adds) the subtree at `path` below `root` (nil = empty tree) with `subtree`,
  /// rewriting the trees along the path; returns the new root tree.
  public func replacingSubtree(
    in root: ObjectID?, at path: [String], with subtree: ObjectID
  ) throws(GitError) -> ObjectID {
    guard let first = path.first else { return subtree }
    var child: ObjectID?
    if let root, let entry = try treeEntry(root, path: first), entry.isTree { child = entry.id }
    let newChild = try replacingSubtree(in: child, at: Array(path.dropFirst()), with: subtree)
    return try writeTree(base: root, changes: [(first, newChild, true)])
  }

  // MARK: - Commits

  public struct Commit: Sendable {
    public var id: ObjectID
    public var tree: ObjectID
    public var parents: [ObjectID]
    public var message: String
    /// Seconds since the epoch (committer time).
    public var time: Int
  }

  public func commit(_ id: ObjectID) throws(GitError) -> Commit {
    var oid = id.raw
    var commit: OpaquePointer?
    try check(git_commit_lookup(&commit, handle, &oid), "read commit \(id.short)")
    defer { git_commit_free(commit) }
    var parents: [ObjectID] = []
    for i in 0..<git_commit_parentcount(commit) {
      if let parent = git_commit_parent_id(commit, i) { parents.append(ObjectID(parent.pointee)) }
    }
    return Commit(
      id: id, tree: ObjectID(git_commit_tree_id(commit).pointee), parents: parents,
      message: git_commit_message(commit).map { String(cString: $0) } ?? "",
      time: Int(git_commit_time(commit)))
  }

  /// A person (or tool) named in a commit.
  public struct Signature: Sendable, Equatable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
      self.name = name
      self.email = email
    }
  }

  /// Writes a commit object without moving any reference (HEAD included).
  public func writeCommit(
    tree: ObjectID, parents: [ObjectID], message: String, author: Signature,
    committer: Signature
  ) throws(GitError) -> ObjectID {
    var treeOID = tree.raw
    var treeObject: OpaquePointer?
    try check(git_tree_lookup(&treeObject, handle, &treeOID), "read tree \(tree.short)")
    defer { git_tree_free(treeObject) }
    var parentObjects: [OpaquePointer?] = []
    defer { for parent in parentObjects { git_commit_free(parent) } }
    for parent in parents {
      var oid = parent.raw
      var object: OpaquePointer?
      try check(git_commit_lookup(&object, handle, &oid), "read commit \(parent.short)")
      parentObjects.append(object)
    }
    var authorSig: UnsafeMutablePointer<git_signature>?
    try check(git_signature_now(&authorSig, author.name, author.email), "author signature")
    defer { git_signature_free(authorSig) }
    var committerSig: UnsafeMutablePointer<git_signature>?
    try check(
      git_signature_now(&committerSig, committer.name, committer.email), "committer signature")
    defer { git_signature_free(committerSig) }
    var out = git_oid()
    let result = parentObjects.withUnsafeMutableBufferPointer { buffer in
      git_commit_create(
        &out, handle, nil, authorSig, committerSig, "UTF-8", message, treeObject, buffer.count,
        buffer.baseAddress)
    }
    try check(result, "write commit")
    return ObjectID(out)
  }

  // MARK: - Durability

  /// Makes every object written so far durable (one `syncfs` of the file system holding the
  /// object database; `sync` where that is unavailable). Call before pointing a ref at new
  /// objects, so a crash can never leave a ref naming an object that was not written.
  public func syncObjects() throws(GitError) {
    let fd = Glibc.open(gitDirectory + "objects", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else {
      throw GitError(
        code: -1, operation: "sync objects",
        detail: "cannot open \(gitDirectory)objects: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    #if os(Linux)
      if cgit2_syncfs(fd) != 0 {
        throw GitError(
          code: -1, operation: "sync objects", detail: String(cString: strerror(errno)))
      }
    #else
      sync()
    #endif
  }

  // MARK: - References

  /// The commit `name` points at (following symbolic refs), or nil when the ref does not exist.
  public func reference(_ name: String) throws(GitError) -> ObjectID? {
    var oid = git_oid()
    let result = git_reference_name_to_id(&oid, handle, name)
    if result == GIT_ENOTFOUND.rawValue { return nil }
    try check(result, "read reference \(name)")
    return ObjectID(oid)
  }

  /// Compare-and-swap: points `name` at `new` only if it still points at `expected` (nil: only if
  /// it does not exist yet). Throws a `GitError` whose `isContention` is true when another writer
  /// got there first.
  public func updateReference(
    _ name: String, to new: ObjectID, expected: ObjectID?, log: String
  ) throws(GitError) {
    var newOID = new.raw
    var reference: OpaquePointer?
    if var expectedOID = expected?.raw {
      try check(
        git_reference_create_matching(&reference, handle, name, &newOID, 1, &expectedOID, log),
        "update \(name)")
    } else {
      try check(git_reference_create(&reference, handle, name, &newOID, 0, log), "create \(name)")
    }
    git_reference_free(reference)
  }

  // MARK: - Configuration

  /// A string from the repository's configuration (with global and system files), or nil.
  public func configString(_ key: String) -> String? {
    var config: OpaquePointer?
    guard git_repository_config_snapshot(&config, handle) == 0 else { return nil }
    defer { git_config_free(config) }
    var value: UnsafePointer<CChar>?
    guard git_config_get_string(&value, config, key) == 0, let value else { return nil }
    return String(cString: value)
  }
}

extension Repository {
  /// The commit a revision names (`HEAD~1`, a branch, a tag, a hash), or nil when it names none.
  public func commitID(revision: String) throws(GitError) -> ObjectID? {
    var object: OpaquePointer?
    let result = git_revparse_single(&object, handle, revision)
    if result == GIT_ENOTFOUND.rawValue || result == GIT_EINVALIDSPEC.rawValue
      || result == GIT_EAMBIGUOUS.rawValue
    {
      return nil
    }
    try check(result, "resolve revision \(revision)")
    defer { git_object_free(object) }
    var commit: OpaquePointer?
    try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "peel \(revision) to a commit")
    defer { git_object_free(commit) }
    return ObjectID(git_object_id(commit).pointee)
  }

  /// The content of `path` (relative to the working tree's root) at `revision`, or nil when the
  /// revision does not exist or does not contain the file.
  public func file(at revision: String, path: String) throws(GitError) -> [UInt8]? {
    guard let id = try commitID(revision: revision) else { return nil }
    let tree = try commit(id).tree
    guard let entry = try treeEntry(tree, path: path), !entry.isTree else { return nil }
    return try readBlob(entry.id)
  }
}
