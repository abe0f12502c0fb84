internal import Foundation

/// A licence `fairflow init` can write as `LICENSE`: the SPDX id the user types (any case), the
/// canonical id that `CITATION.cff` and the publish stage want, and the text.
///
/// MIT, BSD-2-Clause, BSD-3-Clause, Apache-2.0 and CC0-1.0 are written in full. CC-BY-4.0 is
/// written as a notice with the canonical URL of its legal code: no verified copy of the legal
/// code was at hand to embed (a wrong licence text is worse than a link to the right one).
package enum InitLicense: String, CaseIterable, Sendable {
  case mit
  case apache2 = "apache-2.0"
  case bsd2 = "bsd-2-clause"
  case bsd3 = "bsd-3-clause"
  case ccBy4 = "cc-by-4.0"
  case cc0 = "cc0-1.0"

  /// Parses an SPDX id in any case (`MIT`, `apache-2.0`, `CC-BY-4.0`).
  package init?(spdx: String) {
    self.init(rawValue: spdx.trimmingCharacters(in: .whitespaces).lowercased())
  }

  /// The canonical SPDX identifier.
  package var id: String {
    switch self {
    case .mit: "MIT"
    case .apache2: "Apache-2.0"
    case .bsd2: "BSD-2-Clause"
    case .bsd3: "BSD-3-Clause"
    case .ccBy4: "CC-BY-4.0"
    case .cc0: "CC0-1.0"
    }
  }

  /// Whether ``text(holder:year:)`` is the licence's full text (else a notice and the URL).
  package var isFullText: Bool { self != .ccBy4 }

  /// The `LICENSE` file, with the copyright line filled in where the licence has one.
  package func text(holder: String, year: Int) -> String {
    switch self {
    case .mit: Self.mit(holder: holder, year: year)
    case .apache2: Self.apacheText
    case .bsd2: Self.bsd(clauses: 2, holder: holder, year: year)
    case .bsd3: Self.bsd(clauses: 3, holder: holder, year: year)
    case .ccBy4: Self.ccBy(holder: holder, year: year)
    case .cc0: Self.cc0Text
    }
  }

  package static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }

  package static func mit(holder: String, year: Int) -> String {
    """
    MIT License

    Copyright (c) \(year) \(holder)

    Permission is hereby granted, free of charge, to any person obtaining a copy
    of this software and associated documentation files (the "Software"), to deal
    in the Software without restriction, including without limitation the rights
    to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
    copies of the Software, and to permit persons to whom the Software is
    furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all
    copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
    IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
    FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
    AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
    LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
    OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
    SOFTWARE.

    """
  }

  package static func bsd(clauses: Int, holder: String, year: Int) -> String {
    let third =
      clauses == 3
      ? """

      3. Neither the name of the copyright holder nor the names of its
         contributors may be used to endorse or promote products derived from
         this software without specific prior written permission.

      """ : ""
    return """
      BSD \(clauses)-Clause License

      Copyright (c) \(year), \(holder)

      Redistribution and use in source and binary forms, with or without
      modification, are permitted provided that the following conditions are met:

      1. Redistributions of source code must retain the above copyright notice, this
         list of conditions and the following disclaimer.

      2. Redistributions in binary form must reproduce the above copyright notice,
         this list of conditions and the following disclaimer in the documentation
         and/or other materials provided with the distribution.
      \(third)
      THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
      AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
      IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
      DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
      FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
      DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
      SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
      CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
      OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
      OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

      """
  }

  package static func ccBy(holder: String, year: Int) -> String {
    """
    Copyright (c) \(year) \(holder)

    This work is licensed under the Creative Commons Attribution 4.0 International
    License (CC BY 4.0). You are free to share and adapt it for any purpose, even
    commercially, provided you give appropriate credit, provide a link to the
    licence, and indicate if changes were made.

    The full legal code of the licence is at
    https://creativecommons.org/licenses/by/4.0/legalcode

    SPDX-License-Identifier: CC-BY-4.0

    """
  }
}
