internal import FairflowBase
internal import FairflowCore
internal import Foundation

/// The author of a new project, from `--author "Family, Given"` (DataCite's form). Without a
/// comma the last word is the family name; one word is a family name alone.
package struct InitAuthor: Sendable, Equatable {
  package var family: String
  package var given: String?

  package init(family: String, given: String?) {
    self.family = family
    self.given = given
  }

  package init(_ text: String) {
    let parts = text.split(separator: ",", maxSplits: 1).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    if parts.count == 2, !parts[0].isEmpty {
      family = parts[0]
      given = parts[1].isEmpty ? nil : parts[1]
      return
    }
    let words = text.split(separator: " ").map(String.init)
    family = words.last ?? text
    given = words.count > 1 ? words.dropLast().joined(separator: " ") : nil
  }

  /// "Given Family", for copyright lines.
  package var displayName: String { [given, family].compactMap { $0 }.joined(separator: " ") }

  /// `{family: …, given: …}` for the publish stage's `creators`.
  package var yamlFlow: String {
    let q = InitProject.quoted
    return "{family: \(q(family))" + (given.map { ", given: \(q($0))" } ?? "") + "}"
  }
}

/// What `fairflow init` writes: every file of a new FAIR project, as text, by relative path.
///
/// The files are a pure function of the options (plus the year in copyright lines), so the
/// command's only I/O is ``InitWriter``'s.
package struct InitProject: Sendable {
  package var name: String
  package var template: InitTemplate
  package var license: InitLicense
  package var author: InitAuthor
  package var year: Int

  package init(
    name: String, template: InitTemplate, license: InitLicense, author: InitAuthor, year: Int
  ) {
    self.name = name
    self.template = template
    self.license = license
    self.author = author
    self.year = year
  }

  /// Every file, in the order they are listed to the user.
  package var files: [(path: String, text: String)] {
    [
      ("pipelines/main.yaml", template.pipeline(self)),
      ("stages/README.md", InitDocuments.stagesReadme(self)),
      ("CITATION.cff", citation),
      ("LICENSE", license.text(holder: author.displayName, year: year)),
      ("README.md", InitDocuments.readme(self)),
      (".gitignore", InitDocuments.gitignore),
      (".github/workflows/fairflow.yml", InitDocuments.workflow),
    ]
  }

  /// `CITATION.cff`: Citation File Format 1.2.0, every string double-quoted (JSON escapes are
  /// valid YAML and keep values like `yes` or `1.0` strings).
  package var citation: String {
    let q = Self.quoted
    var lines = [
      "cff-version: 1.2.0",
      "message: "
        + q("If you use this software, please cite it using the metadata from this file."),
      "type: software",
      "title: " + q(name),
      "abstract: " + q("A FAIR machine-learning project: \(template.task), run by fairflow."),
      "authors:",
      "  - family-names: " + q(author.family),
    ]
    if let given = author.given { lines.append("    given-names: " + q(given)) }
    lines += ["version: " + q("0.1.0"), "license: " + q(license.id), "keywords:"]
    lines += template.keywords.map { "  - " + q($0) }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A YAML double-quoted scalar (JSON escapes).
  package static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }

  /// Rejects names and authors that cannot be written as one line of YAML metadata, or that
  /// the pipeline would interpolate (`${…}`).
  package static func checkText(_ text: String, option: String) throws(TemplateError) {
    if text.trimmingCharacters(in: .whitespaces).isEmpty {
      throw TemplateError("\(option) must not be empty")
    }
    if text.contains(where: \.isNewline) || text.contains("${") {
      throw TemplateError("\(option) must be one line without '${'")
    }
  }
}
