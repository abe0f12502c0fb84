import Fetch
import Testing

@Suite struct DOITests {
  /// Every input form of doi-apis.md §2 gives the same DOI, spelled as the user wrote it.
  @Test(arguments: [
    ("10.1000/182", "10.1000/182"),
    ("doi:10.1000/182", "10.1000/182"),
    ("DOI:10.1000/182", "10.1000/182"),
    ("doi://10.1000/182", "10.1000/182"),
    ("urn:doi:10.1000/182", "10.1000/182"),
    ("info:doi/10.1000/182", "10.1000/182"),
    ("https://doi.org/10.1000/182", "10.1000/182"),
    ("http://doi.org/10.1000/182", "10.1000/182"),
    ("https://dx.doi.org/10.1000/182", "10.1000/182"),
    ("  https://doi.org/10.5281/Zenodo.1234567\n", "10.5281/Zenodo.1234567"),
    ("https://doi.org/10.1000/a%3Fb%23c", "10.1000/a?b#c"),
    ("10.1000.10/abc/def", "10.1000.10/abc/def"),
  ])
  func acceptsEveryForm(input: String, spelling: String) throws {
    let doi = try DOI.parse(input)
    #expect(doi.spelling == spelling)
    #expect(doi.key == spelling.lowercased())
  }

  @Test(arguments: [
    "", "10.1000", "10.1000/", "11.1000/182", "10./182", "10.ab/182", "doi:", "zenodo.1234567",
    "https://example.org/10.1000/182", "10.1000/a\u{1}b",
  ])
  func rejectsNonDOIs(input: String) {
    #expect(DOI(input) == nil)
    #expect(throws: FetchError.unsupportedIdentifier(input)) { try DOI.parse(input) }
  }

  @Test func comparesCaseInsensitively() throws {
    let upper = try DOI.parse("10.5281/ZENODO.1234567")
    let lower = try DOI.parse("doi:10.5281/zenodo.1234567")
    #expect(upper == lower)
    #expect(Set([upper, lower]).count == 1)
    #expect(upper.spelling == "10.5281/ZENODO.1234567")
    #expect(upper.prefix == "10.5281")
    #expect(upper.suffix == "ZENODO.1234567")
  }

  /// §2: `%`, `"`, `#`, space and `?` must be encoded, the recommended set too, dot segments
  /// become `/.%2F` and `/..%2F`; `/` stays literal.
  @Test(arguments: [
    ("10.5281/zenodo.1234567", "10.5281/zenodo.1234567"),
    ("10.1000/a b", "10.1000/a%20b"),
    ("10.1000/50%\"#?", "10.1000/50%25%22%23%3F"),
    ("10.1000/<>{}^[]`|\\+", "10.1000/%3C%3E%7B%7D%5E%5B%5D%60%7C%5C%2B"),
    ("10.1000/x/./y", "10.1000/x/.%2Fy"),
    ("10.1000/x/../y", "10.1000/x/..%2Fy"),
    ("10.1000/é", "10.1000/%C3%A9"),
    ("10.1002/(SICI)1097-4571", "10.1002/(SICI)1097-4571"),
  ])
  func encodesForURLPaths(spelling: String, encoded: String) throws {
    #expect(try DOI.parse(spelling).pathEncoded == encoded)
  }
}
