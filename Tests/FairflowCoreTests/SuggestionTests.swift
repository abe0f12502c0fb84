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

  @Test func hintIsADidYouMeanLine() {
    #expect(Suggestion.hint(for: "parms", in: ["params", "env"]) == "did you mean 'params'?")
    #expect(Suggestion.hint(for: "zzzzzzz", in: ["params", "env"]) == nil)
  }
}
