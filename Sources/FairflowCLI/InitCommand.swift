internal import ArgumentParser
internal import FairflowCore
internal import FairflowStore
internal import Foundation
import FairflowBase

/// `fairflow init`: scaffold a new FAIR project that runs at once.
struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract: "Create a new FAIR project with a working pipeline, citation, licence and CI.",
    discussion: """
      Writes pipelines/main.yaml (built-in stages only: generate → convert → train → export → \
      evaluate with regression gates → publish dry run), stages/README.md, CITATION.cff, \
      LICENSE, README.md, .gitignore and .github/workflows/fairflow.yml. DIR must be new or \
      empty unless --force. Templates: \(InitTemplate.list). Licences: \(InitLicense.list).
      """)

  @Argument(help: "Directory of the new project (created if missing; default: the current one).")
  var directory: String = "."

  @Option(
    help: ArgumentHelp(
      "Starting pipeline: classifier (H→bb jets, interaction network) or regression "
        + "(Bragg peaks, BraggNN)."))
  var template: String = InitTemplate.classifier.rawValue

  @Option(help: "SPDX id of the licence.") var license: String = InitLicense.mit.rawValue

  @Option(help: "Project title (default: the directory's name).") var name: String?

  @Option(
    help: ArgumentHelp(
      "Author for CITATION.cff, LICENSE and the publish stage.", valueName: "Family, Given"))
  var author: String?

  @Flag(help: "Write into a non-empty directory, replacing files of the same name.")
  var force = false

  func run() throws {
    let root = Self.absolute(directory)
    let project = try project(root: root)
    let paths = try InitWriter(root: root).write(project.files, force: force)
    print(
      "Created \(project.name) (\(project.template.rawValue) template, \(project.license.id)) in "
        + "\(root):")
    for path in paths { print("  " + path) }
    if !project.license.isFullText {
      print("note: LICENSE names \(project.license.id) and links its full legal code")
    }
    if author == nil {
      print("note: no --author: edit the author in CITATION.cff, LICENSE and pipelines/main.yaml")
    }
    print("Next:")
    if root != Self.absolute(".") { print("  cd \(Self.shellQuoted(directory))") }
    print("  fairflow run      # runs the pipeline (seconds)")
    print("  fairflow check    # the regression gate")
  }

  /// The options as a project, or an error that exits 2 and lists what is allowed.
  func project(root: String) throws(CommandError) -> InitProject {
    guard let template = InitTemplate(rawValue: template.lowercased()) else {
      throw CommandError(
        "unknown template '\(template)'", hint: "available templates: \(InitTemplate.list)")
    }
    guard let license = InitLicense(spdx: license) else {
      throw CommandError(
        "unknown licence '\(license)'", hint: "available licences: \(InitLicense.list)")
    }
    let name = name ?? URL(fileURLWithPath: root).lastPathComponent
    try InitProject.checkText(name, option: "--name")
    if let author { try InitProject.checkText(author, option: "--author") }
    let year = Calendar(identifier: .gregorian).component(.year, from: Date())
    return InitProject(
      name: name, template: template, license: license, author: InitAuthor(author ?? "Doe, Jane"),
      year: year)
  }

  /// `path` as the user can paste it into a shell.
  static func shellQuoted(_ path: String) -> String {
    let plain = path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+~".contains($0) }
    return plain ? path : "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  static func absolute(_ path: String) -> String {
    URL(
      fileURLWithPath: path,
      relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    )
    .standardizedFileURL.path
  }
}

/// Writes a new project's files: into a new directory all at once (built in a hidden sibling,
/// then renamed into place), or into an existing one file by file, each atomically. Never
/// into a non-empty directory unless forced.
struct InitWriter {
  let root: String

  /// Writes `files`; returns their paths. Throws (exit 2) before writing anything when the
  /// directory is not empty and `force` is off.
  func write(_ files: [(path: String, text: String)], force: Bool) throws -> [String] {
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: root, isDirectory: &isDirectory) else {
      try writeNew(files)
      return files.map(\.path)
    }
    guard isDirectory.boolValue else {
      throw CommandError("\(root) exists and is not a directory")
    }
    let entries = (try? manager.contentsOfDirectory(atPath: root))?.sorted() ?? []
    if !entries.isEmpty, !force {
      let conflicts = files.map(\.path).filter { manager.fileExists(atPath: root + "/" + $0) }
      let listed = conflicts.isEmpty ? entries : conflicts
      let shown = listed.prefix(12).map { "  " + $0 }.joined(separator: "\n")
      let more = listed.count > 12 ? "\n  … and \(listed.count - 12) more" : ""
      throw CommandError(
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
      throw CommandError("cannot create \(root): \(String(cString: strerror(errno)))")
    }
    done = true
    FileIO.syncDirectory(parent)
  }
}
