/// Normalises paths written in pipelines to workspace-relative POSIX form (`a/b/c`).
///
/// Rejected: empty paths, absolute paths, `..` that leaves the workspace, NUL and other control
/// characters, Windows drive letters, and paths inside fairflow's own `cache/` or `.git/`.
/// `.` components and duplicate or trailing slashes are removed.
public enum WorkspacePath {
  /// Top-level directories that no stage may read or write through a declared path.
  public static let reserved = ["cache", ".git"]

  public enum Problem: Error, Equatable {
    case empty, absolute, escapes, controlCharacter, driveLetter, reserved(String)

    public var explanation: String {
      switch self {
      case .empty: return "the path is empty or names the workspace root itself"
      case .absolute:
        return "absolute paths are not allowed; paths are relative to the workspace root"
      case .escapes: return "the path leaves the workspace through '..'"
      case .controlCharacter: return "the path contains a control character"
      case .driveLetter: return "drive letters are not allowed"
      case .reserved(let name): return "'\(name)/' is fairflow's own directory"
      }
    }
  }

  public static func normalize(_ raw: String) -> Result<String, Problem> {
    if raw.isEmpty { return .failure(.empty) }
    if raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
      return .failure(.controlCharacter)
    }
    if raw.hasPrefix("/") || raw.hasPrefix("~") { return .failure(.absolute) }
    let scalars = Array(raw.unicodeScalars)
    if scalars.count >= 2, scalars[1] == ":", StageName.isWord(scalars[0]) {
      return .failure(.driveLetter)
    }
    var parts: [Substring] = []
    for component in raw.split(separator: "/", omittingEmptySubsequences: true) {
      switch component {
      case ".": continue
      case "..":
        if parts.isEmpty { return .failure(.escapes) }
        parts.removeLast()
      default: parts.append(component)
      }
    }
    if parts.isEmpty { return .failure(.empty) }
    if let top = parts.first, reserved.contains(String(top)) {
      return .failure(.reserved(String(top)))
    }
    return .success(parts.joined(separator: "/"))
  }

  /// True when `path` is `ancestor` or lies inside it.
  public static func isSameOrInside(_ path: String, _ ancestor: String) -> Bool {
    path == ancestor
      || (path.hasPrefix(ancestor)
        && path.utf8.dropFirst(ancestor.utf8.count).first == UInt8(ascii: "/"))
  }

  /// Quotes a path for `/bin/sh` when it contains anything beyond safe characters.
  public static func shellQuoted(_ path: String) -> String {
    let safe = path.unicodeScalars.allSatisfy {
      StageName.isWord($0) || "/.-_+=:@%,".unicodeScalars.contains($0)
    }
    if safe { return path }
    return "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}

extension String {
  func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
