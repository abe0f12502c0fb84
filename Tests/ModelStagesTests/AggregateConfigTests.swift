import FairflowBase
import FairflowCore
import Testing

@testable import ModelStages

/// `aggregate`'s configuration beyond AggregateStageTests: the normal form, more refusals, and
/// messages that name the stage whatever it is called.
@Suite struct AggregateConfigTests {
  @Test(arguments: [
    (#"{"inputs": ["a.json"], "output": "m.json", "title": 3}"#, "'title' must be a string"),
    (
      #"{"inputs": ["a.json"], "output": "m.json", "metrics": ["auc", "auc"]}"#,
      "'metrics' names a metric twice"
    ),
    (#"{"inputs": null, "output": "m.json"}"#, "'inputs' must be a list of paths, found null"),
    (#"{"inputs": ["a.json"]}"#, "'with' of stage 's' needs 'output'"),
    (
      #"{"inputs": ["a.json"], "output": "m.json", "digits": "4"}"#,
      "expected an integer for 'digits' of stage 's', found \"4\""
    ),
  ])
  func invalidConfiguration(_ with: String, _ problem: String) throws {
    #expect(try ModelFixtures.problem(AggregateStage(), with) == problem)
  }

  @Test func missingInputsNamesTheStageAndHowToFix() throws {
    let e = try #require(
      try ModelFixtures.failure(AggregateStage(), #"{"output": "m.json"}"#, stage: "table4"))
    #expect(e.problem == "'with' of stage 'table4' needs 'inputs'")
    #expect(e.hint == "list the metrics files, or a directory holding them")
  }

  @Test func normalForm() throws {
    #expect(
      try ModelFixtures.normalised(AggregateStage(), #"{"inputs": "d", "output": "m.json"}"#)
        == .map([
          ("inputs", .list([.string("d")])), ("output", .string("m.json")), ("digits", .int(4)),
        ]))
    #expect(
      try ModelFixtures.normalised(
        AggregateStage(),
        #"{"inputs": ["a.json", "b.json"], "metrics": ["auc"], "output": "m.json", "table": "t.md", "title": "T", "digits": 2}"#
      )
        == .map([
          ("inputs", .list([.string("a.json"), .string("b.json")])),
          ("metrics", .list([.string("auc")])), ("output", .string("m.json")),
          ("table", .string("t.md")), ("title", .string("T")), ("digits", .int(2)),
        ]))
  }
}
