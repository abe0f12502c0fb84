import FairflowBase
import FairflowCore
import Testing

@Suite struct ValueTests {
  @Test func mapsCompareAndHashIgnoringKeyOrder() {
    let a = Value.map([("b", .int(1)), ("a", .list([.string("x"), .bool(true), .null]))])
    let b = Value.map([("a", .list([.string("x"), .bool(true), .null])), ("b", .int(1))])
    #expect(a == b)
    #expect(a.hashValue == b.hashValue)
    #expect(Value.map([("a", .int(1))]) != .map([("a", .int(2))]))
    #expect(Value.map([("a", .int(1))]) != .map([("b", .int(1))]))
  }

  @Test func typesAreDistinct() {
    #expect(Value.int(1) != .double(1))
    #expect(Value.int(1) != .string("1"))
    #expect(Value.bool(true) != .string("true"))
    #expect(Value.null != .string(""))
    #expect(Value.list([.int(1), .int(2)]) != .list([.int(2), .int(1)]))
  }

  @Test func canonicalTextIsSortedCompactJSON() {
    let value = Value.map([
      ("b", .int(1)), ("a", .list([.string("x\"y\\z\n\t\u{1}"), .bool(true), .null])),
      ("c", .double(2)),
    ])
    #expect(value.canonicalText == #"{"a":["x\"y\\z\n\t\u0001",true,null],"b":1,"c":2.0}"#)
  }

  /// Valid JSON either way, but libyaml (which reads lock files back) rejects or folds these.
  @Test func charactersYAMLReadsBadlyAreEscaped() {
    #expect(
      Value.string("\u{7f}\u{85}\u{9f}\u{a0}\u{2028}\u{2029}\u{fffe}\u{ffff}é").canonicalText
        == #""\u007f\u0085\u009f\#u{a0}\u2028\u2029\ufffe\uffffé""#)
  }

  @Test(arguments: [
    (Value.null, ""), (.bool(false), "false"), (.int(-3), "-3"), (.double(0.1), "0.1"),
    (.double(1e-3), "0.001"), (.double(2), "2.0"), (.string("a b"), "a b"),
    (.list([.int(1), .string("two")]), "1 two"), (.map([("k", .int(1))]), #"{"k":1}"#),
    (.double(.infinity), "inf"), (.double(-.infinity), "-inf"),
  ])
  func interpolationText(_ value: Value, _ text: String) {
    #expect(value.interpolationText == text)
  }

  @Test func dottedLookup() {
    let params = Value.map([("model", .map([("lr", .double(0.5))])), ("n", .int(1))])
    #expect(params.lookup(["model", "lr"]) == .double(0.5))
    #expect(params.lookup(["n"]) == .int(1))
    #expect(params.lookup([]) == params)
    #expect(params.lookup(["model", "depth"]) == nil)
    #expect(params.lookup(["n", "x"]) == nil)
  }

  @Test func parsesSmallDocuments() throws {
    let value = try ValueParser.parse(
      #"{"auc": 0.98, "n": 3, "tags": ["a"], "ok": true}"#, file: "m.json")
    #expect(value["auc"] == .double(0.98))
    #expect(value["n"]?.intValue == 3)
    #expect(value["tags"]?.listValue == [.string("a")])
    #expect(value["ok"] == .bool(true))
    #expect(value["missing"] == nil)
    #expect(try ValueParser.parse("", file: "m.json") == .null)
  }
}
