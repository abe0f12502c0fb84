import Foundation

/// A licence from the SPDX list, as the metadata formats want it: the canonical identifier
/// (`CC-BY-4.0`, which CITATION.cff requires exactly), its full name and the SPDX page.
///
/// Users write ids in any case (`cc-by-4.0`, Zenodo's style); ``init(spdx:)`` recognises the
/// licences models and data are usually published under and returns nil for anything else, so
/// the FAIR assessment can say which licence it could not resolve.
public struct License: Sendable, Equatable {
  /// The canonical SPDX identifier, e.g. `CC-BY-4.0`.
  public var id: String
  public var name: String

  /// The licence's page on spdx.org.
  public var url: String { "https://spdx.org/licenses/\(id).html" }

  public init?(spdx: String) {
    let key = spdx.trimmingCharacters(in: .whitespaces).lowercased()
    guard let entry = License.known.first(where: { $0.id.lowercased() == key }) else {
      return nil
    }
    self.id = entry.id
    self.name = entry.name
  }

  static let known: [(id: String, name: String)] = [
    ("CC-BY-4.0", "Creative Commons Attribution 4.0 International"),
    ("CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0 International"),
    ("CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0 International"),
    (
      "CC-BY-NC-SA-4.0", "Creative Commons Attribution Non Commercial Share Alike 4.0 International"
    ),
    ("CC-BY-ND-4.0", "Creative Commons Attribution No Derivatives 4.0 International"),
    ("CC-BY-3.0", "Creative Commons Attribution 3.0 Unported"),
    ("CC0-1.0", "Creative Commons Zero v1.0 Universal"),
    ("MIT", "MIT License"),
    ("Apache-2.0", "Apache License 2.0"),
    ("BSD-2-Clause", "BSD 2-Clause \"Simplified\" License"),
    ("BSD-3-Clause", "BSD 3-Clause \"New\" or \"Revised\" License"),
    ("GPL-2.0-only", "GNU General Public License v2.0 only"),
    ("GPL-2.0-or-later", "GNU General Public License v2.0 or later"),
    ("GPL-3.0-only", "GNU General Public License v3.0 only"),
    ("GPL-3.0-or-later", "GNU General Public License v3.0 or later"),
    ("LGPL-3.0-only", "GNU Lesser General Public License v3.0 only"),
    ("AGPL-3.0-only", "GNU Affero General Public License v3.0"),
    ("MPL-2.0", "Mozilla Public License 2.0"),
    ("EUPL-1.2", "European Union Public License 1.2"),
    ("ODbL-1.0", "Open Data Commons Open Database License v1.0"),
    ("ODC-By-1.0", "Open Data Commons Attribution License v1.0"),
    ("PDDL-1.0", "Open Data Commons Public Domain Dedication & License 1.0"),
    ("Unlicense", "The Unlicense"),
  ]
}
