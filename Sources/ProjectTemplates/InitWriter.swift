internal import FairflowBase
internal import FairflowStore
internal import Foundation

/// Writes a new project's files: into a new directory all at once (built in a hidden sibling,
/// then renamed into place), or into an existing one file by file, each atomically. Never
/// into a non-empty directory unless forced.
package struct InitWriter {
  package let root: String

  package init(root: String) { self.root = root }

  /// Writes `files`; returns their paths. Throws (exit 2) before writing anything when the
  /// directory is not empty and `force` is off.
  package func write(_ files: [(path: String, text: String)], force: Bool) throws -> [String] {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: root, isDirectory: &isDirectory) else {
      try writeNew(files)
      return files.map(\.path)
    }
    guard isDirectory.boolValue else {
      throw TemplateError("\(root) exists and is not a directory")
    }
    let entries = (try? manager.contentsOfDirectory(atPath: root))?.sorted() ?? []
    if !entries.isEmpty, !force {
      let conflicts = files.map(\.path).filter { manager.fileExists(atPath: root + "/" + $0) }
      let listed = conflicts.isEmpty ? entries : conflicts
      let shown = listed.prefix(12).map { "  " + $0 }.joined(separator: "\n")
      let more = listed.count > 12 ? "\n  … and \(listed.count - 12) more" : ""
      throw TemplateError(
        "\(root) is not empty; "
          + (conflicts.isEmpty
            ? "it holds:\n" : "these files of the new project already exist:\n") + shown + more,
        hint: "choose a new or empty directory, or pass --force to write the project's files "
          + "into this one (replacing those of the same name)")
    }
    for file in files {
      try FileIO.writeAtomically(file.text, to: root + "/" + file.path)
    }
    return files.map(\.path)
  }

  /// Builds the whole project in `.NAME.init-PID` beside `root` and renames it into place, so a
  /// failure leaves no half-made project behind.
  private func writeNew(_ files: [(path: String, text: String)]) throws {
    let parent = FileIO.parent(of: root)
    try FileIO.makeDirectories(parent)
    let base = URL(fileURLWithPath: root).lastPathComponent
    let staging = parent + "/.\(base).init-\(getpid())"
    var done = false
    defer { if !done { try? FileManager.default.removeItem(atPath: staging) } }
    for file in files {
      try FileIO.writeAtomically(file.text, to: staging + "/" + file.path)
    }
    if rename(staging, root) != 0 {
      throw TemplateError("cannot create \(root): \(String(cString: strerror(errno)))")
    }
    done = true
    FileIO.syncDirectory(parent)
  }
}
