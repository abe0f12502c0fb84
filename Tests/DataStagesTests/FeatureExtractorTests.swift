import DataStages
import FairflowCore
import ROOTIO
import StageSupport
import Testing

@Suite struct FeatureExtractorTests {
  func config(_ with: String) throws -> ConvertConfig {
    try ConvertConfig(ValueParser.parse(with, file: "t")) { PipelineError($0, hint: $1) }
  }

  func jagged(_ lists: [[Float]]) -> Column {
    var offsets = [0]
    for l in lists { offsets.append(offsets.last! + l.count) }
    return Column(
      type: .float32, innerShape: [], offsets: offsets, values: .float32(lists.flatMap { $0 }),
      entries: lists.count)
  }

  func flat(_ values: [Float]) -> Column {
    Column(
      type: .float32, innerShape: [], offsets: nil, values: .float32(values), entries: values.count)
  }

  @Test func sortsPadsTruncatesAndLaysOut() throws {
    let c = try config(
      #"{"inputs": ["raw"], "tree": "t", "output": "o", "collections": {"trk": {"branches": ["a", "b"], "max": 2, "sort_by": "k"}, "fm": {"branches": ["a", "b"], "max": 3, "layout": "feature-major", "descending": false}}}"#
    )
    let batch = try FeatureExtractor.Batch(
      columns: [
        "a": jagged([[1, 2, 3], [], [4]]), "b": jagged([[10, 20, 30], [], [40]]),
        "k": jagged([[0.5, .nan, 2], [], [7]]),
      ], entries: 3)
    let x = FeatureExtractor(config: c)
    // Entry 0 sorted by k descending: 3 (k=2), 1 (k=0.5), NaN last (dropped at max 2).
    #expect(
      try x.collection(c.collections[0], batch, rows: [0, 1, 2]) == [
        3, 30, 1, 10, 0, 0, 0, 0, 4, 40, 0, 0,
      ])
    // feature-major [rows, F, max], no sort: a row then b row, zero-padded to 3.
    #expect(
      try x.collection(c.collections[1], batch, rows: [2, 0]) == [
        4, 0, 0, 40, 0, 0, 1, 2, 3, 10, 20, 30,
      ])
    #expect(FeatureExtractor.shape(of: c.collections[1]) == [2, 3])
  }

  @Test func selectionLabelsAndJets() throws {
    let c = try config(
      #"{"inputs": ["raw"], "tree": "t", "output": "o", "jets": ["pt"], "labels": ["q", "h"], "select": "pt > 10"}"#
    )
    let batch = try FeatureExtractor.Batch(
      columns: ["pt": flat([5, 20, 30, 40]), "q": flat([1, 1, 0, 1]), "h": flat([0, 0, 1, 1])],
      entries: 4)
    let x = FeatureExtractor(config: c)
    let (rows, dropped) = try x.selectedRows(batch)
    #expect(rows == [1, 2])
    #expect(dropped == 1, "entry 3 has both labels")
    #expect(try x.labels(batch, rows: rows) == [1, 0, 0, 1])
    #expect(try x.jets(batch, rows: rows) == [20, 30])
  }

  @Test func mismatchedCountsAndWrongKindsAreClearErrors() throws {
    let c = try config(
      #"{"inputs": ["raw"], "tree": "t", "output": "o", "collections": {"trk": {"branches": ["a", "b"], "max": 2}}, "jets": ["a"]}"#
    )
    let batch = try FeatureExtractor.Batch(
      columns: ["a": jagged([[1, 2]]), "b": jagged([[1]])], entries: 1)
    let x = FeatureExtractor(config: c)
    let e1 = #expect(throws: ConvertError.self) {
      try x.collection(c.collections[0], batch, rows: [0])
    }
    #expect(e1?.message == "collection 'trk': entry 0 has 2 'a' but 1 'b' values")
    let e2 = #expect(throws: ConvertError.self) { try x.jets(batch, rows: [0]) }
    #expect(e2?.message == "'jets' needs a per-entry branch, but 'a' holds a list per entry")
  }

  @Test(arguments: [
    (
      #"{"inputs": ["r"], "output": "o", "jets": ["x"]}"#,
      "a ROOT convert needs 'tree' (e.g. deepntuplizer/tree)"
    ),
    (
      #"{"inputs": ["r"], "tree": "t", "output": "o"}"#,
      "convert needs at least one of collections, jets, labels"
    ),
    (
      #"{"inputs": ["r"], "tree": "t", "output": "o", "jets": ["x"], "split": {"fractions": {"a": 0.5, "b": 0.6}, "seed": 1}}"#,
      "split fractions add up to 1.1, not 1"
    ),
    (
      #"{"inputs": ["r"], "tree": "t", "output": "o", "jets": ["x"], "colections": {}}"#,
      "unknown key 'colections' in 'with' of a convert stage"
    ),
    (
      #"{"inputs": ["r"], "tree": "t", "output": "o", "jets": ["x"], "select": "x >"}"#,
      "invalid selection 'x >': expected 'branch op number' at the end"
    ),
    (#"{"inputs": ["r.h5"], "output": "o"}"#, "an hdf5 convert needs 'datasets' (output: input)"),
  ])
  func configErrors(_ json: String, _ message: String) throws {
    let value = try ValueParser.parse(json, file: "t")
    let error = #expect(throws: PipelineError.self) {
      try ConvertConfig(value) { PipelineError($0, hint: $1) }
    }
    #expect(error?.problem == message)
  }

  @Test func normalisedConfigRoundTrips() throws {
    let c = try config(
      #"{"inputs": ["raw"], "tree": "t", "output": "o", "jets": ["x"], "split": {"fractions": {"train": 0.75, "test": 0.25}, "seed": 7}}"#
    )
    let again = try ConvertConfig(c.value) { PipelineError($0, hint: $1) }
    #expect(again == c)
    #expect(c.split.names == ["train", "test"])
  }

  @Test func splitAssignmentIsDeterministicAndProportional() {
    let a = SplitAssignment(entries: 1000, fractions: [0.8, 0.1, 0.1], seed: 42)
    let b = SplitAssignment(entries: 1000, fractions: [0.8, 0.1, 0.1], seed: 42)
    let c = SplitAssignment(entries: 1000, fractions: [0.8, 0.1, 0.1], seed: 43)
    #expect(a.splits == b.splits)
    #expect(a.splits != c.splits)
    #expect(a.splits.filter { $0 == 0 }.count == 800)
    #expect(a.splits.filter { $0 == 1 }.count == 100)
    #expect(a.splits.filter { $0 == 2 }.count == 100)
    #expect(SplitAssignment(entries: 0, fractions: [1], seed: 1).splits.isEmpty)
  }
}
