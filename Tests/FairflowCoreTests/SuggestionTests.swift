import FairflowBase
import FairflowCore
import Testing

@Suite struct SuggestionTests {
  @Test(arguments: [
    ("dpes", "deps", 1), ("kitten", "sitting", 3), ("", "abc", 3), ("abc", "", 3),
    ("same", "same", 0), ("ab", "ba", 1), ("cahce", "cache", 1), ("pipline", "pipeline", 1),
    ("epoch", "epochs", 1), ("ca", "abc", 3),
  ])
  func editDistanceCountsTranspositionsAsOneEdit(_ a: String, _ b: String, _ distance: Int) {
    #expect(Suggestion.editDistance(a, b) == distance)
    #expect(Suggestion.editDistance(b, a) == distance)
  }

  @Test func nearestPicksTheClosestWithinThreeEdits() {
    let keys = ["cmd", "uses", "deps", "outs", "metrics", "params"]
    #expect(Suggestion.nearest(to: "dpes", in: keys) == "deps")
    #expect(Suggestion.nearest(to: "out", in: keys) == "outs")
    #expect(Suggestion.nearest(to: "completely", in: keys) == nil)
    #expect(Suggestion.nearest(to: "x", in: [String]()) == nil)
  }

  @Test func tiesGoToTheFirstCandidate() {
    #expect(Suggestion.nearest(to: "ab", in: ["ax", "xb"]) == "ax")
    #expect(Suggestion.nearest(to: "ab", in: ["xb", "ax"]) == "xb")
  }

  @Test func maxDistanceIsInclusive() {
    #expect(Suggestion.nearest(to: "abcd", in: ["wxyz"], maxDistance: 4) == "wxyz")
    #expect(Suggestion.nearest(to: "abcd", in: ["wxyz"], maxDistance: 3) == nil)
    #expect(Suggestion.nearest(to: "abcd", in: ["abcx"], maxDistance: 0) == nil)
  }

  /// A suggestion keeps at least half the word's length and differs by few edits for its
  /// length: one edit up to five characters, two up to eight, three from nine on.
  @Test(
    arguments: [
      ("nope", ["n"], nil), ("params", ["p"], nil), ("cmd", ["x"], nil), ("abc", ["xyz"], nil),
      ("abcd", ["wxyz", "axyz"], nil), ("desc", ["deps"], nil), ("nope", ["no"], nil),
      ("ot", ["outs"], nil), ("timeout", ["time"], nil), ("kitten", ["sitting"], nil),
      ("dpes", ["deps"], "deps"), ("m", ["n"], "n"), ("bb", ["b"], "b"),
      ("lables", ["labels"], "labels"), ("resource", ["resources"], "resources"),
      ("paramtrs", ["parameters"], "parameters"), ("enviornmnet", ["environment"], "environment"),
      ("paramtr", ["parameters"], "parameters"), ("edgefeatrs", ["edge_features"], "edge_features"),
    ] as [(String, [String], String?)])
  func suggestionsAreNotMuchShorterOrFartherThanTheWord(
    _ word: String, _ candidates: [String], _ expected: String?
  ) {
    #expect(Suggestion.nearest(to: word, in: candidates) == expected)
  }

  @Test func anExplicitMaxDistanceStillRefusesMuchShorterCandidates() {
    #expect(Suggestion.nearest(to: "nope", in: ["n"], maxDistance: 3) == nil)
    #expect(Suggestion.nearest(to: "nope", in: ["no"], maxDistance: 1) == nil)
    #expect(Suggestion.nearest(to: "nope", in: ["no"], maxDistance: 2) == "no")
  }

  @Test func hintIsADidYouMeanLine() {
    #expect(Suggestion.hint(for: "parms", in: ["params", "env"]) == "did you mean 'params'?")
    #expect(Suggestion.hint(for: "zzzzzzz", in: ["params", "env"]) == nil)
  }
}
