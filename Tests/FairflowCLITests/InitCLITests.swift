import FairflowTesting
import Foundation
import ProjectTemplates
import Testing
@testable import FairflowCLI

/// `fairflow init` through the real binary: each template scaffolds a project that validates,
/// runs and passes its gates; the citation validates with cffconvert; a non-empty directory is
/// left untouched; unknown templates and licences exit 2 with the list; the CI workflow is YAML
/// (read by ruamel.yaml, cffconvert's parser) that writes the gates' JUnit file and job summary.
@Suite struct InitCLITests {
  static let files = [
    "pipelines/main.yaml", "stages/README.md", "CITATION.cff", "LICENSE", "README.md",
    ".gitignore", ".github/workflows/fairflow.yml",
  ]

  /// `cffconvert --validate`, or nil when the Python peers are not installed.
  static var cffconvert: String? {
    guard let python = PythonPeer.interpreter else { return nil }
    let path = URL(fileURLWithPath: python).deletingLastPathComponent()
      .appendingPathComponent("cffconvert").path
    return FileManager.default.isExecutableFile(atPath: path) ? path : nil
  }

  static func validateCitation(in directory: String) throws {
    guard let cffconvert else {
      if PythonPeer.required { Issue.record("no cffconvert in the Python peer venv") }
      return
    }
    let result = try Shell.run([cffconvert, "--validate", "-i", "CITATION.cff"], in: directory)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
  }

  /// Every regular file under `root` with its bytes, to show that nothing changed.
  static func snapshot(_ root: String) -> [String: Data] {
    var out: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let path = enumerator?.nextObject() as? String {
      out[path] = FileManager.default.contents(atPath: root + "/" + path) ?? Data()
    }
    return out
  }

  @Test(arguments: ["classifier", "regression"])
  func scaffoldedProjectValidatesRunsAndPassesItsGates(_ template: String) async throws {
    let ws = try TemporaryWorkspace("init-\(template)")
    defer { ws.destroy() }
    let created = try await runCLI(
      [
        "init", "project", "--template", template, "--author", "Lovelace, Ada", "--name",
        "Demo \"\(template)\" study",
      ],
      in: ws.root)
    #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
    #expect(created.stdout.contains("fairflow run") && created.stdout.contains("fairflow check"))
    let project = ws.path("project")
    for file in Self.files {
      #expect(FileManager.default.fileExists(atPath: project + "/" + file), "missing \(file)")
      #expect(created.stdout.contains("  " + file + "\n"), "\(file) not listed")
    }
    let validate = try await runCLI(["validate"], in: project)
    #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    let run = try await runCLI(["run"], in: project)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let check = try await runCLI(["check"], in: project)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.contains(template == "classifier" ? "auc" : "distance_p95"))
    for artifact in [
      "metrics/evaluate.json", "report/evaluate",
      template == "classifier" ? "models/classifier.onnx" : "models/regressor.onnx",
      "publication/\(template == "classifier" ? "classifier" : "regressor")/data/CITATION.cff",
    ] {
      #expect(FileManager.default.fileExists(atPath: project + "/" + artifact), "no \(artifact)")
    }
    let citation = try String(contentsOfFile: project + "/CITATION.cff", encoding: .utf8)
    #expect(citation.contains("title: \"Demo \\\"\(template)\\\" study\""))
    #expect(citation.contains("family-names: \"Lovelace\"\n    given-names: \"Ada\""))
    #expect(citation.contains("license: \"MIT\""))
    try Self.validateCitation(in: project)
    let warm = try await runCLI(["run"], in: project)
    #expect(warm.stdout.contains("0 executed"), "\(warm.stdout)")
  }

  @Test func refusesANonEmptyDirectoryAndChangesNothing() async throws {
    let ws = try TemporaryWorkspace("init-refuse")
    defer { ws.destroy() }
    try ws.write("mine/README.md", "my own readme\n")
    try ws.write("mine/notes.txt", "keep me\n")
    let before = Self.snapshot(ws.path("mine"))
    let result = try await runCLI(["init", "mine"], in: ws.root)
    #expect(result.status == 2)
    #expect(
      result.stderr.hasPrefix(
        "error: \(ws.path("mine")) is not empty; these files of the new project already exist:\n"
          + "  README.md\n"))
    #expect(result.stderr.contains("hint: choose a new or empty directory, or pass --force"))
    #expect(Self.snapshot(ws.path("mine")) == before)

    try ws.write("other/data.csv", "a,b\n")
    let other = try await runCLI(["init", "other"], in: ws.root)
    #expect(other.status == 2)
    #expect(other.stderr.contains("is not empty; it holds:\n  data.csv\n"), "\(other.stderr)")
    #expect(Self.snapshot(ws.path("other")).keys.sorted() == ["data.csv"])

    let forced = try await runCLI(["init", "mine", "--force"], in: ws.root)
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(try ws.read("mine/notes.txt") == "keep me\n")
    #expect(try ws.read("mine/README.md").hasPrefix("# mine\n"))
    #expect(ws.exists("mine/pipelines/main.yaml"))
  }

  @Test func unknownTemplateOrLicenceExits2WithTheList() async throws {
    let ws = try TemporaryWorkspace("init-bad")
    defer { ws.destroy() }
    let template = try await runCLI(["init", "p", "--template", "segmentation"], in: ws.root)
    #expect(template.status == 2)
    #expect(
      template.stderr == "error: unknown template 'segmentation'\n"
        + "hint: available templates: classifier, regression\n")
    let licence = try await runCLI(["init", "p", "--license", "gpl-3.0"], in: ws.root)
    #expect(licence.status == 2)
    #expect(
      licence.stderr == "error: unknown licence 'gpl-3.0'\n"
        + "hint: available licences: mit, apache-2.0, bsd-2-clause, bsd-3-clause, cc-by-4.0, "
        + "cc0-1.0\n")
    let author = try await runCLI(["init", "p", "--author", "Doe, ${params.x}"], in: ws.root)
    #expect(author.status == 2)
    #expect(author.stderr == "error: --author must be one line without '${'\n")
    #expect(!ws.exists("p"))
  }

  @Test(arguments: InitLicense.allCases)
  func everyLicenceGivesAValidCitationAndItsText(_ license: InitLicense) async throws {
    let ws = try TemporaryWorkspace("init-licence")
    defer { ws.destroy() }
    let result = try await runCLI(
      ["init", "p", "--license", license.id, "--author", "Hopper, Grace"], in: ws.root)
    #expect(result.status == 0, "\(result.stderr)")
    let text = try ws.read("p/LICENSE")
    switch license {
    case .apache2:
      let sha = try Shell.run(["sha256sum", "LICENSE"], in: ws.path("p")).stdout.prefix(64)
      #expect(sha == "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30")
    case .cc0:
      #expect(text.hasPrefix("Creative Commons Legal Code\n\nCC0 1.0 Universal\n"))
    case .ccBy4:
      #expect(text.contains("https://creativecommons.org/licenses/by/4.0/legalcode"))
      #expect(result.stdout.contains("note: LICENSE names CC-BY-4.0 and links its full legal code"))
    case .mit, .bsd2, .bsd3:
      #expect(text.contains("Copyright (c) ") && text.contains("Grace Hopper"))
      #expect(text.contains("3. Neither the name") == (license == .bsd3))
    }
    #expect(try ws.read("p/CITATION.cff").contains("license: \"\(license.id)\""))
    #expect(try ws.read("p/pipelines/main.yaml").contains("license: \(license.rawValue)\n"))
    try Self.validateCitation(in: ws.path("p"))
  }

  @Test func authorsAreParsedInDataCitesForm() {
    #expect(InitAuthor("Lovelace, Ada") == InitAuthor(family: "Lovelace", given: "Ada"))
    #expect(InitAuthor("Ada King Lovelace").family == "Lovelace")
    #expect(InitAuthor("Ada King Lovelace").given == "Ada King")
    #expect(InitAuthor("CERN").displayName == "CERN")
    #expect(InitAuthor("van Rossum, Guido").yamlFlow == #"{family: "van Rossum", given: "Guido"}"#)
    #expect(InitProject.quoted("a \"b\" \\ c") == #""a \"b\" \\ c""#)
  }

  @Test func initWorkflowWritesBothReportsAndUploadsTheJUnitFileAsValidYAML() throws {
    let workflow = InitDocuments.workflow
    #expect(
      workflow.contains(
        #"fairflow check --junit fairflow-gates.xml --markdown "$GITHUB_STEP_SUMMARY""#))
    #expect(workflow.contains("uses: actions/upload-artifact@v4"))
    // Results are shared: provenance by its refspec, the cache through a remote (docs/remotes.md).
    #expect(
      workflow.contains("git fetch origin '+refs/fairflow/provenance:refs/fairflow/provenance'"))
    #expect(workflow.contains("git push origin refs/fairflow/provenance"))
    #expect(workflow.contains("fairflow pull") && workflow.contains("fairflow push"))
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("workflow")
    defer { ws.destroy() }
    try ws.write("fairflow.yml", workflow)
    let steps = """
      import json, ruamel.yaml
      doc = ruamel.yaml.YAML(typ="safe").load(open("fairflow.yml"))
      print(json.dumps([s.get("name") or s.get("uses") for s in doc["jobs"]["reproduce"]["steps"]]))
      upload = doc["jobs"]["reproduce"]["steps"][-1]
      print(json.dumps([upload["if"], upload["with"]["path"], sorted(doc["on"])]))
      """
    let parsed = try Shell.run([python, "-c", steps], in: ws.root)
    #expect(parsed.status == 0, "\(parsed.stderr)")
    #expect(
      parsed.stdout == """
        ["actions/checkout@v4", "System libraries", "Restore fairflow and its cache", \
        "Build fairflow", "Earlier results", "fairflow run", "Share the results", \
        "fairflow check", "Upload the gate report"]
        ["${{ !cancelled() }}", "fairflow-gates.xml", ["pull_request", "push"]]

        """)
  }
}
