public import FairflowBase
internal import Foundation

/// The FAIR self-assessment of a published model: each principle of the FAIR-for-AI-models
/// table (Duarte et al. 2023, Table 1, after Ravi et al. 2022) judged Pass or Fail from what the
/// spec and inputs contain, with the evidence for a pass or the missing piece for a fail.
///
/// Rules (decided here, so a user can predict the verdict):
///
/// | id   | passes when |
/// |------|-------------|
/// | F1   | a DOI is recorded (`spec.doi`, minted or reserved by the repository) |
/// | F2   | title, ≥1 creator, description, ≥1 keyword, and the task, inputs and outputs |
/// | F3   | a DOI is recorded: the writers then put it into DataCite, CFF and the RO-Crate |
/// | F4   | a DOI and the record's landing page (`spec.recordURL`) are recorded: deposited |
/// | A1   | a DOI is recorded and the bundle holds ≥1 model file to retrieve through it |
/// | A1.1 | a DOI is recorded and every access URL (doi.org, the record) uses https |
/// | A1.2 | the record is on a repository (`recordURL`, https) whose API takes token auth |
/// | A2   | a DOI is recorded: DataCite keeps its metadata even when the files are withdrawn |
/// | I1   | ≥1 model file is in an open exchange format (ONNX, safetensors, HDF5) |
/// | I2   | ≥1 training-data DOI is recorded (qualified reference `IsDerivedFrom`) |
/// | R1   | task, inputs and outputs each with type and shape, ≥1 metric, intended use, limits |
/// | R1.1 | the licence is an SPDX identifier fairflow recognises (``License``) |
/// | R1.2 | ≥1 provenance record is included |
/// | R2   | the code repository, ≥1 dependency with its version or the source archive is included |
/// | R3   | ≥1 metric is reported and every metric states its uncertainty |
public struct FAIRAssessment: Sendable, Equatable {
  /// One principle's verdict.
  public struct Criterion: Sendable, Equatable {
    public var id: String
    public var principle: String
    public var passed: Bool
    /// For a pass, what satisfies it; for a fail, what is missing.
    public var detail: String
  }

  public var criteria: [Criterion]

  public var passedCount: Int { criteria.filter(\.passed).count }
  /// "12/15".
  public var score: String { "\(passedCount)/\(criteria.count)" }

  public func criterion(_ id: String) -> Criterion? { criteria.first { $0.id == id } }

  /// The open exchange formats I1 accepts, by file extension.
  public static let openModelExtensions = ["onnx", "safetensors", "h5", "hdf5"]

  public init(spec: PublicationSpec, inputs: PublicationInputs) {
    var out: [Criterion] = []
    func add(_ id: String, _ principle: String, _ pass: String?, _ missing: String) {
      out.append(
        Criterion(id: id, principle: principle, passed: pass != nil, detail: pass ?? missing))
    }
    let doi = spec.doi.flatMap { DOISyntax.isValid($0) ? $0 : nil }
    let record = spec.recordURL?.absoluteString
    let card = spec.modelCard
    let modelFiles = inputs.modelFiles.map(\.path).sorted()
    let noDOI = "no DOI minted or recorded (deposit the bundle, or set doi)"

    add(
      "F1", "The model has a globally unique, persistent identifier.",
      doi.map { "DOI \($0)" }, noDOI)
    var f2Missing: [String] = []
    if spec.title.isEmpty { f2Missing.append("title") }
    if spec.creators.isEmpty { f2Missing.append("creators") }
    if spec.description.isEmpty { f2Missing.append("description") }
    if spec.keywords.isEmpty { f2Missing.append("keywords") }
    f2Missing += FAIRAssessment.cardGaps(card, requireTypes: false)
    add(
      "F2", "The model is described with rich metadata.",
      f2Missing.isEmpty
        ? "title, \(spec.creators.count) creator(s), description, \(spec.keywords.count) keyword(s), task, inputs and outputs"
        : nil,
      "missing " + f2Missing.joined(separator: ", "))
    add(
      "F3", "The metadata clearly and explicitly contain the identifier of the model.",
      doi.map { "datacite.json, CITATION.cff and ro-crate-metadata.json carry DOI \($0)" },
      "the metadata carry no identifier: " + noDOI)
    add(
      "F4", "Metadata and model are registered or indexed in a searchable resource.",
      doi != nil && record != nil ? "registered with DataCite as \(doi!), record \(record!)" : nil,
      doi == nil ? "not deposited: " + noDOI : "no record URL of the deposit recorded")
    add(
      "A1", "The model is retrievable by its identifier using a standardised protocol.",
      doi != nil && !modelFiles.isEmpty
        ? "https://doi.org/\(doi!) leads to \(modelFiles.count) model file(s)" : nil,
      doi == nil ? noDOI : "the bundle contains no model file")
    let insecure = record.map { !$0.hasPrefix("https://") } ?? false
    add(
      "A1.1", "The protocol is open, free and universally implementable.",
      doi != nil && !insecure ? "HTTPS via https://doi.org/\(doi!)" : nil,
      doi == nil ? noDOI : "the record URL does not use https: \(record ?? "")")
    add(
      "A1.2", "The protocol allows authentication and authorisation where necessary.",
      record.flatMap {
        $0.hasPrefix("https://") ? "HTTPS record \($0) (token-authorised API)" : nil
      },
      record == nil ? "not deposited in a repository (no record URL)" : "record URL is not https")
    add(
      "A2", "Metadata stay accessible even when the model is no longer available.",
      doi.map { "DataCite metadata registered with DOI \($0) outlive the files" },
      "no DOI, so no metadata registered independently of the files")
    let openFiles = modelFiles.filter { path in
      let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
      return path.contains(".") && FAIRAssessment.openModelExtensions.contains(ext)
    }
    add(
      "I1", "The model reads, writes and exchanges data meeting community standards.",
      openFiles.isEmpty ? nil : "open format model file(s): " + openFiles.joined(separator: ", "),
      "no model file in an open exchange format (ONNX, safetensors, HDF5)")
    let training = spec.trainingData.map(\.doi)
    add(
      "I2", "The model includes qualified references to other objects, such as its training data.",
      training.isEmpty ? nil : "IsDerivedFrom " + training.joined(separator: ", "),
      "no training-data DOI recorded")
    var r1Missing = FAIRAssessment.cardGaps(card, requireTypes: true)
    if inputs.metrics.isEmpty { r1Missing.append("metrics") }
    if (card.intendedUse ?? "").isEmpty { r1Missing.append("intended use") }
    if (card.limitations ?? "").isEmpty { r1Missing.append("limitations") }
    add(
      "R1", "The model is described with a plurality of accurate and relevant attributes.",
      r1Missing.isEmpty
        ? "task, \(card.inputs.count) input(s) and \(card.outputs.count) output(s) with types and shapes, \(inputs.metrics.count) metric(s), intended use, limitations"
        : nil,
      "missing " + r1Missing.joined(separator: ", "))
    let licenseText = spec.license ?? ""
    add(
      "R1.1", "The model has a clear and accessible licence.",
      spec.resolvedLicense.map { "\($0.id) (\($0.name))" },
      licenseText.isEmpty
        ? "no licence declared" : "licence \(licenseText) is not a recognised SPDX identifier")
    let records = inputs.provenance.map(\.path).sorted()
    add(
      "R1.2", "The model has detailed provenance.",
      records.isEmpty
        ? nil
        : "\(records.count) provenance record(s): " + records.joined(separator: ", ")
          + (inputs.codeCommit.map { "; code commit \($0)" } ?? ""),
      "no provenance records included")
    var software: [String] = []
    if let code = spec.codeRepository {
      software.append(
        "code \(code.absoluteString)" + (inputs.codeCommit.map { " at \($0)" } ?? ""))
    }
    software += spec.dependencies.map { "\($0.name) \($0.version)" }
    if inputs.reproduce.contains(where: { $0.path == BundleLayout.sourceArchiveName }) {
      software.append(
        "source archive \(BundleLayout.sourceArchive)"
          + (inputs.codeCommit.map { " of commit \($0)" } ?? ""))
    }
    add(
      "R2", "The model includes qualified references to other models or software.",
      software.isEmpty ? nil : software.joined(separator: ", "),
      "no code repository or dependencies recorded")
    let unqualified = inputs.metrics.filter { $0.uncertainty == nil }.map(\.name)
    add(
      "R3", "The model meets domain-relevant community standards.",
      !inputs.metrics.isEmpty && unqualified.isEmpty
        ? "\(inputs.metrics.count) metric(s) with uncertainties; metadata as DataCite 4.5, CFF 1.2.0, RO-Crate 1.1, BagIt 1.0"
        : nil,
      inputs.metrics.isEmpty
        ? "no metrics reported"
        : "metrics without uncertainty: " + unqualified.joined(separator: ", "))
    criteria = out
  }

  /// What the model card lacks: task, inputs, outputs (and, for R1, a type and shape on each).
  static func cardGaps(_ card: ModelCard, requireTypes: Bool) -> [String] {
    var gaps: [String] = []
    if (card.task ?? "").isEmpty { gaps.append("task") }
    if card.inputs.isEmpty { gaps.append("inputs") }
    if card.outputs.isEmpty { gaps.append("outputs") }
    if requireTypes {
      let untyped = (card.inputs + card.outputs).filter { $0.type.isEmpty || $0.shape.isEmpty }
      if !untyped.isEmpty {
        gaps.append("type or shape of " + untyped.map(\.name).joined(separator: ", "))
      }
    }
    return gaps
  }

  /// `fair-assessment.json`.
  public var document: Value {
    .map([
      ("framework", .string("FAIR principles for AI models (Duarte et al. 2023, Table 1)")),
      ("score", .string(score)), ("passed", .int(passedCount)), ("total", .int(criteria.count)),
      (
        "criteria",
        .list(
          criteria.map { criterion in
            .map([
              ("id", .string(criterion.id)), ("principle", .string(criterion.principle)),
              ("result", .string(criterion.passed ? "pass" : "fail")),
              (criterion.passed ? "evidence" : "missing", .string(criterion.detail)),
            ])
          })
      ),
    ])
  }

  public var json: [UInt8] { Array(document.prettyJSON.utf8) }

  /// `fair-assessment.md`: one table row per principle.
  public var markdown: [UInt8] {
    var lines = [
      "# FAIR self-assessment", "",
      "Principles for AI models (Duarte et al. 2023, Table 1). Score: \(score).", "",
      "| Principle | Result | Evidence or missing piece |", "|---|---|---|",
    ]
    for criterion in criteria {
      lines.append(
        "| \(criterion.id) | \(criterion.passed ? "Pass" : "Fail") | "
          + Markdown.cell(criterion.detail) + " |")
    }
    return Array((lines.joined(separator: "\n") + "\n").utf8)
  }
}
