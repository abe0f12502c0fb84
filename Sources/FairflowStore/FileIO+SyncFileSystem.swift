internal import Glibc

/// `syncfs(2)`: Glibc's module map leaves it out (it needs `_GNU_SOURCE`), so it is bound here by
/// its C name, once.
@_silgen_name("syncfs")
private func c_syncfs(_ fd: Int32) -> Int32

extension FileIO {
  /// Flushes the file system holding `path` (one call for a batch of files, instead of an
  /// `fsync` each: a pull of a thousand small objects would otherwise wait for a thousand).
  /// Returns false when it could not.
  @discardableResult
  public static func syncFileSystem(holding path: String) -> Bool {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return c_syncfs(fd) == 0
  }
}
