import Foundation

/// Checks file names that come from an API listing or a bag before they touch the disk
/// (doi-apis.md §13.6). Names with `/` are legitimate (folders, `owner/repo-v1.zip`); anything
/// that could land outside the destination is refused, never repaired.
public enum SafePath {
  /// The name as a clean relative `/`-joined path, or ``FetchError/unsafePath(_:)`` if it is
  /// empty, absolute, starts with a drive letter or `~`, contains a backslash, NUL or another
  /// control character, or has an empty, `.` or `..` component.
  public static func normalise(_ name: String) throws(FetchError) -> String {
    guard !name.isEmpty, !name.hasPrefix("/"), !name.hasPrefix("~") else {
      throw .unsafePath(name)
    }
    guard !name.contains("\\"), !name.unicodeScalars.contains(where: isControl) else {
      throw .unsafePath(name)
    }
    let scalars = Array(name.unicodeScalars)
    if scalars.count >= 2, scalars[1] == ":",
      ("a"..."z").contains(scalars[0]) || ("A"..."Z").contains(scalars[0])
    {
      throw .unsafePath(name)
    }
    let components = name.split(separator: "/", omittingEmptySubsequences: false)
    for component in components where component.isEmpty || component == "." || component == ".." {
      throw .unsafePath(name)
    }
    return components.joined(separator: "/")
  }

  /// `destination/name` after ``normalise(_:)``, checked to stay inside `destination` once
  /// symbolic links already on disk are resolved.
  public static func resolve(_ name: String, in destination: String) throws(FetchError) -> String {
    let clean = try normalise(name)
    let root = URL(fileURLWithPath: destination).standardizedFileURL.resolvingSymlinksInPath()
    let target = root.appendingPathComponent(clean).standardizedFileURL
    // Resolve links on the deepest existing ancestor: the file itself may not exist yet.
    var existing = target
    var rest: [String] = []
    while !FileManager.default.fileExists(atPath: existing.path), existing.path != "/" {
      rest.insert(existing.lastPathComponent, at: 0)
      existing.deleteLastPathComponent()
    }
    var resolved = existing.resolvingSymlinksInPath()
    for part in rest { resolved.appendPathComponent(part) }
    guard isInside(resolved.path, root.path) else { throw .unsafePath(name) }
    return target.path
  }

  /// Whether `path` is `root` or below it (both absolute and already resolved).
  static func isInside(_ path: String, _ root: String) -> Bool {
    let base = root.hasSuffix("/") ? root : root + "/"
    return path == root || path.hasPrefix(base)
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || scalar.value == 0x7F
  }
}
