import FairflowBase
import FairflowReport
import Testing

/// A matrix's metrics as one table, the reproduced Markdown tables as HTML, and group status.
@Suite struct TableTests {
  @Test func matrixTableHasARowPerCellAndAMeanStdRow() {
    let table = MatrixMetricsTable(
      keys: ["seed"],
      rows: [
        .init(
          coordinates: ["1"],
          values: [("parameters", .int(25554)), ("auc", .double(0.9584)), ("loss", .double(0.17))]),
        .init(coordinates: ["2"], values: [("parameters", .int(25554)), ("auc", .double(0.9560))]),
        .init(coordinates: ["3"], values: nil),
      ])
    #expect(table.metrics == ["parameters", "auc", "loss"])
    #expect(table.statistics(of: "auc")?.count == 2)
    let html = table.html
    #expect(html.hasPrefix("<table class=\"matrix\">"))
    #expect(html.contains("<th>seed</th><th class=\"num\">parameters</th>"))
    #expect(
      html.contains(
        "<tr><td>1</td><td class=\"num\">25,554</td><td class=\"num\">0.9584</td><td class=\"num\">0.1700</td></tr>"
      ))
    #expect(html.contains("<td class=\"num\">–</td>"))
    #expect(html.contains("<td class=\"num\">not run</td>"))
    // mean ± std: parameters constant, AUC over the two cells that have it, loss from one.
    #expect(
      html.contains(
        "<tr class=\"mean-std\"><td>mean ± std</td><td class=\"num\">25,554 ± 0</td><td class=\"num\">0.9572 ± 0.0017</td><td class=\"num\">0.1700</td></tr>"
      ))
  }

  @Test func unrelatedStagesGetNoStatisticsRow() {
    let table = MatrixMetricsTable(
      keys: ["stage"],
      rows: [
        .init(coordinates: ["a"], values: [("x", .int(1))]),
        .init(coordinates: ["b"], values: [("x", .int(2))]),
      ],
      showsStatistics: false)
    #expect(!table.html.contains("mean-std"))
  }

  @Test func markdownTablesBecomeHTML() {
    let markdown = """
      # Table 4 analogue: accuracy & AUC

      | metric | mean ± std | n |
      | --- | --- | --- |
      | auc | 0.9565 ± 0.0018 | 10 |
      | a \\| b | <x> | 3 |

      std: sample standard deviation
      over the 10 inputs.
      """
    let html = MarkdownTables.html(markdown)
    #expect(
      html.hasPrefix("<h4>Table 4 analogue: accuracy &amp; AUC</h4>\n<table class=\"reproduced\">"))
    #expect(html.contains("<thead><tr><th>metric</th><th>mean ± std</th><th>n</th></tr></thead>"))
    #expect(
      html.contains(
        "<tr><td>auc</td><td class=\"num\">0.9565 ± 0.0018</td><td class=\"num\">10</td></tr>"))
    #expect(html.contains("<tr><td>a | b</td><td>&lt;x&gt;</td><td class=\"num\">3</td></tr>"))
    #expect(
      html.hasSuffix("<p class=\"note\">std: sample standard deviation over the 10 inputs.</p>\n"))
    #expect(!html.contains("---"))
  }

  @Test func backtickedNamesBecomeCode() {
    #expect(HTML.withCode("param `epochs` 5→6") == "param <code>epochs</code> 5→6")
    #expect(HTML.withCode("a `<b>` & `c`") == "a <code>&lt;b&gt;</code> &amp; <code>c</code>")
    #expect(HTML.withCode("odd ` tick") == "odd ` tick")
  }

  @Test func groupStatusIsTheMostUrgent() {
    #expect(StageStatus.combined([.upToDate, .upToDate]) == .upToDate)
    #expect(StageStatus.combined([.upToDate, .failed, .stale]) == .failed)
    #expect(StageStatus.combined([.neverRun, .neverRun]) == .neverRun)
    #expect(StageStatus.combined([.neverRun, .upToDate]) == .stale)
  }
}
