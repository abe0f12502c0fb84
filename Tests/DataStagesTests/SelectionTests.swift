import DataStages
import Testing

@Suite struct SelectionTests {
  @Test func parsesPrecedenceAndParentheses() throws {
    let s = try Selection.parse("a > 1 and b <= 2 or not (c == 3)")
    #expect(
      s
        == .or(
          .and(.compare(branch: "a", op: .gt, value: 1), .compare(branch: "b", op: .le, value: 2)),
          .not(.compare(branch: "c", op: .eq, value: 3))))
    #expect(Set(s.branches) == ["a", "b", "c"])
    let values: [String: Double] = ["a": 2, "b": 3, "c": 3]
    #expect(!s.passes { values[$0]! })
    #expect(try Selection.parse("fj_pt>300").passes { _ in 301 })
    #expect(try Selection.parse("x != -1.5e3").passes { _ in 0 })
  }

  @Test func nanComparesFalse() throws {
    #expect(!(try Selection.parse("x > 0")).passes { _ in .nan })
    #expect(!(try Selection.parse("x <= 0")).passes { _ in .nan })
  }

  @Test(arguments: [
    ("a >", "expected 'branch op number' at the end"),
    ("a > b", "expected a number after 'a >', found 'b'"),
    ("(a > 1", "missing ')'"),
    ("a => 1", "unknown operator '='"),
    ("a > 1 b > 2", "unexpected 'b'"),
    ("1 > 2", "expected a branch name, found '1'"),
  ])
  func errorsSayWhatWasExpected(_ text: String, _ problem: String) {
    let error = #expect(throws: SelectionError.self) { try Selection.parse(text) }
    #expect(error?.problem == problem)
  }
}
