import Foundation

/// The model card (`MODEL_CARD.md`): what a person needs before using the model — task, inputs
/// and outputs with types and shapes, metrics with uncertainties, training data, intended use,
/// limitations, files, and how to cite it. Sections without content say so rather than vanish,
/// so a reader sees what the authors did not state.
public enum ModelCardWriter {
  public static func write(
    spec: PublicationSpec, inputs: PublicationInputs, date: BundleDate
  ) -> [UInt8] {
    let card = spec.modelCard
    var lines = ["# \(spec.title)", ""]
    if !spec.description.isEmpty { lines += [spec.description, ""] }
    lines += ["| | |", "|---|---|"]
    lines.append("| Authors | " + Markdown.cell(authorList(spec.creators)) + " |")
    if let version = spec.version { lines.append("| Version | \(Markdown.cell(version)) |") }
    lines.append(
      "| DOI | " + (spec.doi.map { "[\($0)](https://doi.org/\($0))" } ?? "not minted yet") + " |")
    let license =
      spec.resolvedLicense.map { "\($0.id) (\($0.name))" } ?? spec.license ?? "not declared"
    lines.append("| License | \(Markdown.cell(license)) |")
    if !spec.formats.isEmpty {
      lines.append("| Formats | \(Markdown.cell(spec.formats.joined(separator: ", "))) |")
    }
    if let code = spec.codeRepository {
      let commit = inputs.codeCommit.map { " at commit `\($0)`" } ?? ""
      lines.append("| Code | \(Markdown.cell(code.absoluteString))\(commit) |")
    }
    lines.append("| Released | \(date.day) |")
    lines += ["", "## Task", "", card.task ?? "Not stated.", ""]
    lines += tensorSection("Inputs", card.inputs) + tensorSection("Outputs", card.outputs)
    lines += ["## Metrics", ""]
    if inputs.metrics.isEmpty {
      lines += ["No metrics reported.", ""]
    } else {
      lines += ["| Metric | Value | Uncertainty | Notes |", "|---|---|---|---|"]
      for metric in inputs.metrics {
        lines.append(
          "| \(Markdown.cell(metric.name)) | \(metric.value) | "
            + (metric.uncertainty.map { "± \($0)" } ?? "not stated") + " | "
            + Markdown.cell(metric.description ?? "") + " |")
      }
      lines.append("")
    }
    lines += ["## Training data", ""]
    if spec.trainingData.isEmpty {
      lines += ["Not stated.", ""]
    } else {
      for dataset in spec.trainingData {
        let title = dataset.title.map { "\($0), " } ?? ""
        lines.append("- \(title)[doi:\(dataset.doi)](https://doi.org/\(dataset.doi))")
      }
      lines.append("")
    }
    if !spec.dependencies.isEmpty {
      lines += ["## Dependencies", ""]
      lines += spec.dependencies.map { "- \($0.name) \($0.version)" }
      lines.append("")
    }
    lines += ["## Intended use", "", card.intendedUse ?? "Not stated.", ""]
    lines += ["## Limitations", "", card.limitations ?? "Not stated.", ""]
    lines += ["## Citation", "", citation(spec, date: date), ""]
    return Array(lines.joined(separator: "\n").utf8)
  }

  static func tensorSection(_ title: String, _ tensors: [TensorSpec]) -> [String] {
    var lines = ["## \(title)", ""]
    if tensors.isEmpty { return lines + ["Not stated.", ""] }
    lines += ["| Name | Type | Shape | Description |", "|---|---|---|---|"]
    for tensor in tensors {
      lines.append(
        "| \(Markdown.cell(tensor.name)) | \(Markdown.cell(tensor.type)) | "
          + "\(Markdown.cell(tensor.shapeText)) | \(Markdown.cell(tensor.description ?? "")) |")
    }
    return lines + [""]
  }

  static func authorList(_ creators: [Creator]) -> String {
    creators.map { creator in
      creator.readingName + (creator.orcidID.map { " (ORCID \($0))" } ?? "")
    }.joined(separator: ", ")
  }

  /// "Family, G., Family, G. (Year). Title (Version v). Publisher. https://doi.org/…"
  static func citation(_ spec: PublicationSpec, date: BundleDate) -> String {
    let authors = spec.creators.map(\.displayName).joined(separator: "; ")
    var text = "\(authors) (\(spec.publicationYear ?? date.year)). \(spec.title)"
    if let version = spec.version { text += " (version \(version))" }
    text += ". \(spec.publisher)."
    if let doi = spec.doi { text += " https://doi.org/\(doi)" }
    return text
  }
}
