internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import FairflowStore
internal import ProjectTemplates
internal import Foundation

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
  func project(root: String) throws(TemplateError) -> InitProject {
    guard let template = InitTemplate(rawValue: template.lowercased()) else {
      throw TemplateError(
        "unknown template '\(template)'", hint: "available templates: \(InitTemplate.list)")
    }
    guard let license = InitLicense(spdx: license) else {
      throw TemplateError(
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
