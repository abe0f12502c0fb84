internal import CGit2

extension Repository {
  /// What the working tree holds relative to HEAD: the code version a run used.
  public struct WorkingState: Sendable {
    /// HEAD's commit, nil on an unborn branch.
    public var head: ObjectID?
    /// The checked-out branch ("main"), nil when HEAD is detached.
    public var branch: String?
    /// Tracked files differ from HEAD (staged or not). Untracked files do not count: outputs of a
    /// run are untracked or ignored and must not make the code look modified.
    public var dirty: Bool
    /// `git diff HEAD --binary` of tracked files as a patch (empty when clean).
    public var patch: [UInt8]
  }

  /// Reads HEAD and diffs tracked files of the working tree (through the index) against it,
  /// leaving out paths (relative to the working tree) for which `ignoring` is true — files the
  /// tool itself rewrites, such as lock files. Nil for a bare repository.
  public func workingState(ignoring: (String) -> Bool = { _ in false }) throws(GitError)
    -> WorkingState?
  {
    guard !isBare else { return nil }
    var head: ObjectID?
    var branch: String?
    var reference: OpaquePointer?
    let result = git_repository_head(&reference, handle)
    if result == 0 {
      defer { git_reference_free(reference) }
      if let target = git_reference_target(reference) { head = ObjectID(target.pointee) }
      if git_reference_is_branch(reference) != 0 {
        branch = String(cString: git_reference_shorthand(reference))
      }
    } else if result == GIT_EUNBORNBRANCH.rawValue || result == GIT_ENOTFOUND.rawValue {
      var symbolic: OpaquePointer?
      if git_reference_lookup(&symbolic, handle, "HEAD") == 0 {
        if let target = git_reference_symbolic_target(symbolic) {
          let name = String(cString: target)
          branch = name.hasPrefix("refs/heads/") ? String(name.dropFirst(11)) : name
        }
        git_reference_free(symbolic)
      }
    } else {
      try check(result, "read HEAD")
    }

    var headTree: OpaquePointer?
    if var oid = head?.raw {
      var commit: OpaquePointer?
      try check(git_commit_lookup(&commit, handle, &oid), "read HEAD commit")
      defer { git_commit_free(commit) }
      try check(git_commit_tree(&headTree, commit), "read HEAD tree")
    }
    defer { if let headTree { git_tree_free(headTree) } }

    var options = git_diff_options()
    try check(git_diff_options_init(&options, cgit2_diff_options_version()), "diff options")
    options.flags |= GIT_DIFF_SHOW_BINARY.rawValue
    var diff: OpaquePointer?
    try check(
      git_diff_tree_to_workdir_with_index(&diff, handle, headTree, &options), "diff working tree")
    defer { git_diff_free(diff) }
    var patch: [UInt8] = []
    var changed = 0
    for index in 0..<git_diff_num_deltas(diff) {
      guard let delta = git_diff_get_delta(diff, index) else { continue }
      let path = (delta.pointee.new_file.path ?? delta.pointee.old_file.path).map {
        String(cString: $0)
      }
      if let path, ignoring(path) { continue }
      changed += 1
      var deltaPatch: OpaquePointer?
      try check(git_patch_from_diff(&deltaPatch, diff, index), "diff \(path ?? "?")")
      defer { git_patch_free(deltaPatch) }
      guard deltaPatch != nil else { continue }
      var buffer = git_buf()
      defer { git_buf_dispose(&buffer) }
      try check(git_patch_to_buf(&buffer, deltaPatch), "format diff of \(path ?? "?")")
      if let ptr = buffer.ptr {
        patch += UnsafeRawBufferPointer(start: ptr, count: buffer.size)
      }
    }
    return WorkingState(head: head, branch: branch, dirty: changed > 0, patch: patch)
  }
}
