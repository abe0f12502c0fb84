/// The path-safety rules of doi-apis.md §13.6 (``SafePath``) applied to every name a listing gives (Zenodo keys,
/// Dataverse `directoryLabel`, Figshare folders, CERN URIs, bag manifests, Content-Disposition).
///
/// An unsafe name is an error, never silently dropped or rewritten: a listing that tries to
/// escape the destination is not a listing to trust.
enum ListingPath {
  /// Returns `path` if it is a safe relative `/`-separated path (``SafePath/normalise(_:)``),
  /// else throws ``FetchError/unsafePath(_:)``.
  static func validated(_ path: String) throws -> String {
    try SafePath.normalise(path)
  }

  /// Checks that no two paths would land on the same file (identical, or equal ignoring case as
  /// on macOS and Windows) and that no file is also another file's directory.
  static func checkNoConflicts(_ paths: [String]) throws {
    var seen: [String: String] = [:]
    for path in paths {
      let key = path.lowercased()
      if let other = seen[key] {
        throw FetchError.unsafePath(
          other == path ? "\(path) (listed twice)" : "\(path) (same as \(other) ignoring case)")
      }
      seen[key] = path
    }
    for path in paths {
      var prefix = ""
      for segment in path.lowercased().split(separator: "/").dropLast() {
        prefix += prefix.isEmpty ? String(segment) : "/" + segment
        if let file = seen[prefix] {
          throw FetchError.unsafePath("\(path) (\(file) is a file, not a folder)")
        }
      }
    }
  }
}
