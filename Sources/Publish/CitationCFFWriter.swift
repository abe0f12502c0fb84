import FairflowBase
import Foundation

/// `CITATION.cff` (Citation File Format 1.2.0) for the model, so GitHub, Zenodo and reference
/// managers cite it the way the authors want.
///
/// Every string is written double-quoted with JSON escapes (valid YAML, no surprises from values
/// like `yes` or `1.0`); `date-released` is quoted too, which the schema's string type wants.
/// The licence is written only when it is an SPDX id the schema's enum knows (canonical case);
/// training data become `references` when their title and creators are known. Fields appear in a
/// fixed order, so the same spec gives the same bytes.
public enum CitationCFFWriter {
  public static func write(spec: PublicationSpec, date: BundleDate) -> [UInt8] {
    var lines: [String] = [
      "cff-version: 1.2.0",
      "message: " + q("If you use this model, please cite it using the metadata from this file."),
      "type: " + (spec.resourceType == .dataset ? "dataset" : "software"),
      "title: " + q(spec.title),
    ]
    lines.append("authors:")
    for creator in spec.creators { lines += author(creator) }
    if !spec.description.isEmpty { lines.append("abstract: " + q(spec.description)) }
    if let version = spec.version { lines.append("version: " + q(version)) }
    if let doi = spec.doi, isCFFDOI(doi) { lines.append("doi: " + q(doi)) }
    lines.append("date-released: " + q(date.day))
    if let license = spec.resolvedLicense { lines.append("license: " + q(license.id)) }
    if let url = spec.recordURL { lines.append("url: " + q(url.absoluteString)) }
    if let code = spec.codeRepository { lines.append("repository-code: " + q(code.absoluteString)) }
    let keywords = DataCiteWriter.unique(spec.keywords)
    if !keywords.isEmpty {
      lines.append("keywords:")
      lines += keywords.map { "  - " + q($0) }
    }
    let references = spec.trainingData.filter {
      ($0.title ?? "").isEmpty == false && !$0.creators.isEmpty && isCFFDOI($0.doi)
    }
    if !references.isEmpty {
      lines.append("references:")
      for dataset in references {
        lines.append("  - type: data")
        lines.append("    title: " + q(dataset.title ?? ""))
        lines.append("    doi: " + q(dataset.doi))
        lines.append("    authors:")
        for name in dataset.creators { lines += referenceAuthor(name) }
      }
    }
    return Array((lines.joined(separator: "\n") + "\n").utf8)
  }

  static func author(_ creator: Creator) -> [String] {
    var lines: [String] = []
    if creator.isPerson {
      lines.append("  - family-names: " + q(creator.familyName ?? ""))
      if let given = creator.givenName, !given.isEmpty {
        lines.append("    given-names: " + q(given))
      }
    } else {
      lines.append("  - name: " + q(creator.name))
    }
    if let orcid = creator.orcidID { lines.append("    orcid: " + q("https://orcid.org/" + orcid)) }
    if let affiliation = creator.affiliation, !affiliation.isEmpty {
      lines.append("    affiliation: " + q(affiliation))
    }
    return lines
  }

  /// "Family, Given" (DataCite's form) as a person; anything else as an entity.
  static func referenceAuthor(_ name: String) -> [String] {
    let parts = name.split(separator: ",", maxSplits: 1).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty {
      return ["      - family-names: " + q(parts[0]), "        given-names: " + q(parts[1])]
    }
    return ["      - name: " + q(name)]
  }

  /// The CFF schema's DOI pattern is narrower than DataCite's; a DOI outside it is left out
  /// rather than making the file invalid.
  static func isCFFDOI(_ doi: String) -> Bool {
    guard DOISyntax.isValid(doi) else { return false }
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:/_;-.()[]\\")
    return doi.allSatisfy { allowed.contains($0) }
  }

  static func q(_ text: String) -> String { Value.quote(text) }
}
