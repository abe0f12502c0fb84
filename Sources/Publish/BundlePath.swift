/// Checks a bundle-relative path before anything is written: the bag must never place a file
/// outside its payload (RFC 8493 §5), and manifests need `/`-separated, single-line names.
enum BundlePath {
  static func check(_ path: String) throws(PublishError) -> String {
    let components = path.split(separator: "/", omittingEmptySubsequences: false)
    guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0"),
      !path.contains("\n"), !path.contains("\r"),
      components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
    else { throw .unsafePath(path) }
    return path
  }
}
