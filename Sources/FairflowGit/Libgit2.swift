internal import CGit2

/// Process-wide libgit2 initialisation (idempotent, thread-safe through `static let`).
public enum Libgit2 {
  private static let initialized: Bool = {
    git_libgit2_init()
    // No fsync per object (about a millisecond each, with its directory): writers call
    // `Repository.syncObjects()` once before moving a ref instead, like git's
    // `core.fsyncMethod=batch`.
    _ = cgit2_enable_fsync(0)
    return true
  }()

  static func ensureInitialized() { _ = initialized }

  /// "1.5.1": the libgit2 actually loaded at run time.
  public static var version: String {
    var major: Int32 = 0
    var minor: Int32 = 0
    var revision: Int32 = 0
    git_libgit2_version(&major, &minor, &revision)
    return "\(major).\(minor).\(revision)"
  }
}
