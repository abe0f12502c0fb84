import Fetch
import Foundation
import Testing

@Suite struct GlobTests {
  @Test(arguments: [
    ("*.csv", "a.csv", true), ("*.csv", "tables/a.csv", false), ("**/*.csv", "tables/a.csv", true),
    ("**/*.csv", "a.csv", true), ("**/*.csv", "x/y/z.csv", true), ("**", "x/y/z.csv", true),
    ("tables/**", "tables/a/b.txt", true), ("tables/**", "other/a.txt", false),
    ("a?c.txt", "abc.txt", true), ("a?c.txt", "a/c.txt", false), ("a?c.txt", "ac.txt", false),
    ("[ab]*.txt", "bz.txt", true), ("[ab]*.txt", "cz.txt", false), ("[!ab]*.txt", "cz.txt", true),
    ("[^ab]*.txt", "az.txt", false), ("file[0-9].h5", "file7.h5", true),
    ("file[0-9].h5", "filex.h5", false), ("tables/a b.csv", "tables/a b.csv", true),
    ("\\*.txt", "*.txt", true), ("\\*.txt", "a.txt", false), ("*", "dir/file", false),
    ("data/*/x", "data/a/x", true), ("data/*/x", "data/a/b/x", false), ("[].txt", "[].txt", true),
    ("[]].txt", "].txt", true), ("hello.txt", "hello.txt", true),
    ("hello.txt", "xhello.txt", false),
  ])
  func matches(pattern: String, path: String, expected: Bool) {
    #expect(Glob(pattern).matches(path) == expected)
  }

  private var record: ResolvedRecord {
    let url = URL(string: "https://example.org/f")!
    return ResolvedRecord(
      identifier: "10.1000/182", repository: .zenodo,
      files: ["hello.txt", "tables/a b.csv", "tables/b.csv", "raw/x.h5"].map {
        RemoteFile(path: $0, url: url)
      })
  }

  @Test func selectsTheUnionInListingOrder() throws {
    let selected = try record.selecting(["raw/*.h5", "**/*.csv"])
    #expect(selected.files.map(\.path) == ["tables/a b.csv", "tables/b.csv", "raw/x.h5"])
    #expect(selected.identifier == "10.1000/182")
  }

  @Test func noPatternsSelectsEverything() throws {
    #expect(try record.selecting([]).files.count == 4)
  }

  @Test func aPatternThatMatchesNothingIsAnError() {
    #expect(throws: FetchError.noMatch(identifier: "10.1000/182", patterns: ["*.parquet"])) {
      try record.selecting(["*.txt", "*.parquet"])
    }
    #expect(
      FetchError.noMatch(identifier: "10.1000/182", patterns: ["*.parquet"]).description
        == "no file of 10.1000/182 matches *.parquet")
  }
}
