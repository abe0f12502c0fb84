import FairflowBase
import FairflowTesting
import Foundation
import Testing

/// The base JSON parser against Python's `json` module (an independent parser): every document
/// of a corpus parses to the same tree, and what Python rejects is rejected here too.
@Suite struct JSONParserTests {
  static let valid = [
    #"{"a": 1, "b": [true, false, null], "c": {"d": "e"}}"#,
    #"[1, -0, 2.5, -3e2, 1E-3, 12345678901234, 0.1]"#,
    #""esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00""#,
    #"{"__metadata__": {"format": "pt"}, "w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}"#,
    " \n\t[ ] ",
    "{}",
    #"{"z": 1, "a": 2}"#,
  ]
  static let invalid = [
    "", "[1,]", "{\"a\" 1}", "[01]", "[1.]", "[.5]", "[1e]", "tru", "\"\\x\"",
    "[1] x", "{\"a\":1,}", "\"a\nb\"", "[+1]", "NaN",
  ]

  @Test func matchesPythonJSON() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("json")
    defer { ws.destroy() }
    try ws.write("valid.json", try String(data: JSONEncoder().encode(Self.valid), encoding: .utf8)!)
    try ws.write(
      "invalid.json", try String(data: JSONEncoder().encode(Self.invalid), encoding: .utf8)!)
    // Python re-emits each valid document canonically (sorted keys, ints as ints) and says which
    // invalid ones it rejects; both sides are compared through Value's canonical text.
    let script = """
      import json, sys
      def canon(v):
          if v is None: return "null"
          if v is True: return "true"
          if v is False: return "false"
          if isinstance(v, int): return str(v)
          if isinstance(v, float): return repr(v)
          if isinstance(v, str): return json.dumps(v, ensure_ascii=False)
          if isinstance(v, list): return "[" + ",".join(canon(x) for x in v) + "]"
          return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canon(v[k]) for k in sorted(v)) + "}"
      for doc in json.load(open(sys.argv[1])):
          print(canon(json.loads(doc)))
      for doc in json.load(open(sys.argv[2])):
          try:
              json.loads(doc, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
              print("accepted")
          except ValueError:
              print("rejected")
      """
    try ws.write("peer.py", script)
    let out = try Shell.run([python, "peer.py", "valid.json", "invalid.json"], in: ws.root)
    #expect(out.status == 0, "\(out.stderr)")
    let lines = out.stdout.split(separator: "\n").map(String.init)
    for (i, doc) in Self.valid.enumerated() {
      let value = try JSONParser.parse(doc, file: "doc\(i)")
      let peer = lines[i]
      // Python prints floats with repr and big integers exactly; compare through Value's text.
      #expect(Self.canonical(value) == peer, "document \(i): \(doc)")
    }
    for (i, doc) in Self.invalid.enumerated() {
      #expect(lines[Self.valid.count + i] == "rejected", "Python accepts \(doc)")
      #expect(throws: JSONError.self, "accepted \(doc)") { try JSONParser.parse(doc, file: "bad") }
    }
  }

  /// Python-compatible canonical text (`repr` for doubles, exact integers).
  static func canonical(_ value: Value) -> String {
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d): return "\(d)"  // shortest round-trip digits, as Python's repr
    case .string(let s):
      return String(data: try! JSONEncoder().encode(s), encoding: .utf8)!
        .replacingOccurrences(of: "\\/", with: "/")
    case .list(let items): return "[" + items.map(canonical).joined(separator: ",") + "]"
    case .map(let pairs):
      return "{"
        + pairs.sorted { $0.key < $1.key }.map {
          String(data: try! JSONEncoder().encode($0.key), encoding: .utf8)! + ":"
            + canonical($0.value)
        }.joined(separator: ",") + "}"
    }
  }

  @Test func errorsNameTheOffset() {
    do {
      _ = try JSONParser.parse("[1, 2 3]", file: "m.json")
      Issue.record("accepted a missing comma")
    } catch {
      #expect(error.message == "m.json: invalid JSON at byte 6: expected ',' or ']'")
    }
    #expect(throws: JSONError.self) {
      try JSONParser.parse(String(repeating: "[", count: 600), file: "deep")
    }
  }

  /// An integer too large for `Int` becomes the nearest double (Python keeps a big integer).
  @Test func hugeIntegersBecomeDoubles() throws {
    #expect(
      try JSONParser.parse("123456789012345678901234567890", file: "x")
        == .double(123_456_789_012_345_678_901_234_567_890.0))
  }

  /// A lone surrogate is not a Unicode scalar: refused here (Python's json lets it through).
  @Test func refusesLoneSurrogates() {
    #expect(throws: JSONError.self) { try JSONParser.parse(#""\ud800""#, file: "x") }
    #expect(throws: JSONError.self) { try JSONParser.parse(#""\udc00x""#, file: "x") }
  }

  @Test func keepsKeyOrderAndNumberKinds() throws {
    let value = try JSONParser.parse(#"{"z": 1, "a": 1.0, "m": -0}"#, file: "x")
    #expect(value == .map([("z", .int(1)), ("a", .double(1.0)), ("m", .int(0))]))
    guard case .map(let pairs) = value else { return }
    #expect(pairs.map(\.key) == ["z", "a", "m"])
  }
}

@Suite struct SeededGeneratorTests {
  /// SplitMix64's published first outputs for seed 1234567 (Vigna's reference implementation).
  @Test func matchesTheReferenceSequence() {
    var g = SeededGenerator(seed: 1_234_567)
    #expect(
      (0..<5).map { _ in g.next() } == [
        6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
        4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
      ])
  }

  @Test func clockIsMonotonic() {
    let a = MonotonicClock.now()
    let b = MonotonicClock.now()
    #expect(b >= a)
    #expect(MonotonicClock.nanoseconds() > 0)
  }
}
