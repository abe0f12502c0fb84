public import FairflowBase
internal import FairflowCore
internal import FairflowStore
internal import StageSupport

/// A table a stage reproduces (the paper's Table 8 or 10 form): a title, column headings, rows of
/// already formatted cells and a note saying how the numbers were made. Stages store it under
/// `table` in their JSON result and may also write it as Markdown; `fairflow report` renders every
/// stage's table from the JSON (`ResultTable.parse`).
public struct ResultTable: Sendable, Equatable {
  public var title: String
  public var columns: [String]
  public var rows: [[String]]
  public var note: String

  public init(title: String, columns: [String], rows: [[String]], note: String) {
    self.title = title
    self.columns = columns
    self.rows = rows
    self.note = note
  }

  public var value: Value {
    .map([
      ("title", .string(title)), ("columns", .list(columns.map(Value.string))),
      ("rows", .list(rows.map { .list($0.map(Value.string)) })), ("note", .string(note)),
    ])
  }

  /// The `table` of a stage's JSON result, or nil when it has none.
  public static func parse(_ document: Value) -> ResultTable? {
    guard let t = document["table"], let title = t["title"]?.stringValue,
      let columns = t["columns"]?.listValue?.compactMap(\.stringValue),
      let rows = t["rows"]?.listValue
    else { return nil }
    return ResultTable(
      title: title, columns: columns,
      rows: rows.map { $0.listValue?.compactMap(\.stringValue) ?? [] },
      note: t["note"]?.stringValue ?? "")
  }

  /// GitHub-flavoured Markdown: a heading, the table, the note.
  public var markdown: String {
    func cell(_ s: String) -> String {
      s.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
    var out = "## \(title)\n\n| " + columns.map(cell).joined(separator: " | ") + " |\n"
    out += "|" + columns.map { _ in " --- |" }.joined() + "\n"
    for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
    return out + (note.isEmpty ? "" : "\n" + note + "\n")
  }
}

extension ResultTable {
  /// The `table:` and `title:` keys of a stage that reproduces a table: an optional Markdown path
  /// and a heading (default `title`).
  static func options(_ f: ConfigFields, title: String) throws(PipelineError) -> (
    table: String?, title: String
  ) {
    var table: String?
    if let given = f.value("table") {
      guard let path = given.stringValue, path.hasSuffix(".md") else {
        throw f.problem("'table' must be a Markdown file path ending in .md")
      }
      table = path
    }
    return (table, try f.string("title", default: title))
  }

  /// Writes a stage's JSON result `fields` + this table (under `table`) to `output`, and the
  /// table as Markdown to `markdown` when given; both atomically.
  func write(_ fields: [(key: String, value: Value)], output: String, markdown path: String?)
    throws
  {
    let document = Value.map(fields + [("table", value)])
    try FileIO.writeAtomically(Array(document.prettyJSON.utf8), to: output)
    if let path { try FileIO.writeAtomically(Array(markdown.utf8), to: path) }
  }
}
