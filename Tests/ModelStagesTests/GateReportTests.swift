import FairflowBase
import Foundation
import Testing

@testable import ModelStages

/// What `fairflow check` writes for CI: JUnit XML (`JUnitReport`), the Markdown job summary
/// (`GateSummary`), the numbers both print (`MetricFormat`) and `metrics diff`'s table.
@Suite struct GateReportTests {
  /// One stage with a regressed gate, a passing one, a missing metric and one that has no
  /// baseline to compare with.
  static let evaluate = GatedMetrics(
    stage: "evaluate", output: "metrics/evaluate.json",
    gates: [
      gate("auc", min: 0.9, maxDrop: 0.005), gate("accuracy", min: 0.8),
      gate("rows", min: 1000), gate("loss", maxRise: 0.1),
    ],
    baselineFile: "baseline.json")

  static func gate(
    _ metric: String, min: Double? = nil, max: Double? = nil, maxDrop: Double? = nil,
    maxRise: Double? = nil
  ) -> Gate {
    var g = Gate(metric: metric)
    (g.min, g.max, g.maxDrop, g.maxRise) = (min, max, maxDrop, maxRise)
    return g
  }

  static var results: [GateResult] {
    evaluate.check(
      values: ["auc": 0.9437002309, "accuracy": 0.9, "loss": 0.3],
      baseline: ["auc": 0.9537, "accuracy": 0.5], from: .file("baseline.json"))
  }

  /// 2025-06-15T15:06:40Z.
  static let noon = Date(timeIntervalSince1970: 1_750_000_000)

  @Test func numbersGetFourSignificantDigitsAndMoreOnlyWhereARowNeedsThem() {
    #expect(MetricFormat.number(0.9530023098688221) == "0.953")
    #expect(MetricFormat.number(0.94370023) == "0.9437")
    #expect(MetricFormat.number(12000) == "12000")
    #expect(MetricFormat.number(-0.0) == "0")
    #expect(MetricFormat.number(12345.678) == "12346")
    #expect(MetricFormat.number(0.0000123456) == "1.235e-05")
    #expect(MetricFormat.number(.nan) == "nan")
    #expect(MetricFormat.number(-.infinity) == "-inf")
    #expect(MetricFormat.literal(0.95123) == "0.95123")
    #expect(MetricFormat.literal(1) == "1")
    #expect(MetricFormat.change(-0.01000000000001) == "-0.01")
    #expect(MetricFormat.change(0.4) == "+0.4")
    #expect(MetricFormat.change(1e-13) == "0")
    // 0.94996 failing ≥ 0.95 must not print as "0.95".
    #expect(MetricFormat.digits(distinguishing: [0.94996, 0.95]) == 5)
    #expect(MetricFormat.digits(distinguishing: [0.9487, 0.9537 - 0.005]) == 4)
    #expect(MetricFormat.digits(distinguishing: [0.9, 0.9437, .nan]) == 4)
  }

  @Test func resultsCarryTheRuleTheBoundsAndWhereTheBaselineCameFrom() throws {
    let r = Self.results
    #expect(r.map(\.verdict) == [.fail, .ok, .missing, .ok])
    #expect(r.map(\.rule) == ["min 0.9, max_drop 0.005", "min 0.8", "min 1000", "max_rise 0.1"])
    #expect(r[0].allowed(digits: r[0].digits) == "≥ 0.9, ≥ 0.9487 (drop ≤ 0.005)")
    #expect(
      r[0].summary
        == "auc = 0.9437, allowed ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005); baseline 0.9537 (baseline.json)")
    #expect(r[2].missing == "metric 'rows' is not in metrics/evaluate.json")
    #expect(r[3].unchecked && !r[1].unchecked)
    #expect(r[3].baselineText(digits: 4) == "none (no 'loss' in baseline.json)")
    let gone = Self.evaluate.check(values: nil, baseline: nil)
    #expect(
      gone[0].missing
        == "metrics file metrics/evaluate.json does not exist (has stage 'evaluate' run?)")
    #expect(gone[0].baselineText(digits: 4) == "none (no `baseline:` file, no --rev)")
    let atRevision = Self.evaluate.check(
      values: ["auc": 0.96], baseline: ["auc": 0.9537],
      from: .revision("origin/main", file: "metrics/evaluate.json"))
    #expect(
      atRevision[0].baselineText(digits: 4) == "0.9537 (metrics/evaluate.json at origin/main)")
    #expect(atRevision[0].json["baseline_from"] == .string("metrics/evaluate.json at origin/main"))
  }

  @Test func junitHasOneCasePerGateAFailureWithTheNumbersAnErrorForWhatIsMissing() {
    let report = JUnitReport(
      suites: [JUnitReport.Suite(stage: "evaluate", results: Self.results, seconds: 0.0042)],
      timestamp: Self.noon)
    #expect(
      report.xml == """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="fairflow check" tests="4" failures="1" errors="1" time="0.004">
          <testsuite name="evaluate" tests="4" failures="1" errors="1" skipped="1" timestamp="2025-06-15T15:06:40" time="0.004">
            <properties>
              <property name="metrics" value="metrics/evaluate.json"/>
              <property name="baseline" value="baseline.json"/>
            </properties>
            <testcase classname="evaluate" name="auc (min 0.9, max_drop 0.005)" time="0">
              <failure type="gate" message="auc = 0.9437, allowed ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005); baseline 0.9537 (baseline.json)">value     0.9437 (metrics/evaluate.json)
        allowed   ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005)
        baseline  0.9537 (baseline.json)
        change    -0.01</failure>
            </testcase>
            <testcase classname="evaluate" name="accuracy (min 0.8)" time="0">
              <system-out>value     0.9 (metrics/evaluate.json)
        allowed   ≥ 0.8
        baseline  0.5 (baseline.json)
        change    +0.4</system-out>
            </testcase>
            <testcase classname="evaluate" name="rows (min 1000)" time="0">
              <error type="missing" message="metric &apos;rows&apos; is not in metrics/evaluate.json"/>
            </testcase>
            <testcase classname="evaluate" name="loss (max_rise 0.1)" time="0">
              <skipped message="not checked: rise ≤ 0.1 (no baseline)"/>
            </testcase>
          </testsuite>
        </testsuites>

        """)
  }

  @Test func junitCountsEverySuiteAndAnEmptyCheckIsAnEmptyReport() {
    let other = GatedMetrics(
      stage: "evaluate-b", output: "metrics/b.json", gates: [Self.gate("auc", min: 0.9)],
      baselineFile: nil)
    let report = JUnitReport(
      suites: [
        JUnitReport.Suite(stage: "evaluate", results: Self.results, seconds: 0.5),
        JUnitReport.Suite(
          stage: "evaluate-b", results: other.check(values: nil, baseline: nil), seconds: 0.25),
      ],
      timestamp: Self.noon)
    let lines = report.xml.split(separator: "\n")
    #expect(
      lines[1]
        == #"<testsuites name="fairflow check" tests="5" failures="1" errors="2" time="0.750">"#)
    #expect(
      lines.contains(
        #"  <testsuite name="evaluate-b" tests="1" failures="0" errors="1" skipped="0" timestamp="2025-06-15T15:06:40" time="0.250">"#
      ))
    #expect(report.xml.contains(#"<property name="baseline" value="no baseline"/>"#))
    #expect(
      JUnitReport(suites: [], timestamp: Self.noon).xml == """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="fairflow check" tests="0" failures="0" errors="0" time="0.000">
        </testsuites>

        """)
  }

  @Test func junitEscapesMarkupAndReplacesCharactersXMLForbids() {
    #expect(
      JUnitReport.escape("a&b<c>\"d'e\u{1}\u{1B}\tf\ng\r\u{FFFE}", attribute: true)
        == "a&amp;b&lt;c&gt;&quot;d&apos;e\u{FFFD}\u{FFFD}&#9;f&#10;g&#13;\u{FFFD}")
    #expect(
      JUnitReport.escape("x < 1 && y\tz\n", attribute: false) == "x &lt; 1 &amp;&amp; y\tz\n")
    let odd = GatedMetrics(
      stage: "evaluate", output: "m.json", gates: [Self.gate("a<b>&\"q\"\u{7}", max: 1)],
      baselineFile: nil)
    let xml = JUnitReport(
      suites: [
        JUnitReport.Suite(
          stage: "evaluate", results: odd.check(values: ["a<b>&\"q\"\u{7}": 2], baseline: nil),
          seconds: 0)
      ],
      timestamp: Self.noon
    ).xml
    #expect(xml.contains(#"name="a&lt;b&gt;&amp;&quot;q&quot;"# + "\u{FFFD} (max 1)\""))
    #expect(xml.contains(#"message="a&lt;b&gt;&amp;&quot;q&quot;"# + "\u{FFFD} = 2, allowed ≤ 1;"))
    #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
  }

  @Test func markdownSummaryHasAHeadlineAndOneRowPerGate() {
    #expect(
      GateSummary(results: Self.results).markdown == """
        ### ❌ fairflow check: 1 gate passed, 2 failed (1 missing), 1 not checked (no baseline)

        | stage | metric | baseline | value | change | allowed | verdict |
        |---|---|--:|--:|--:|---|---|
        | evaluate | auc | 0.9537 | 0.9437 | -0.01 | ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005) | ❌ FAIL |
        | evaluate | accuracy | 0.5 | 0.9 | +0.4 | ≥ 0.8 | ✅ ok |
        | evaluate | rows | – | – | – | ≥ 1000 | ❌ MISSING: metric 'rows' is not in metrics/evaluate.json |
        | evaluate | loss | – | 0.3 | – | rise ≤ 0.1 (no baseline) | ⚠️ not checked (no baseline) |

        Baselines: evaluate: baseline.json.

        """)
    let passing = Self.evaluate.check(
      values: ["auc": 0.95371, "accuracy": 0.9, "rows": 2000, "loss": 0.3],
      baseline: ["auc": 0.9537, "loss": 0.25], from: .file("baseline.json"))
    let markdown = GateSummary(results: passing).markdown
    #expect(markdown.hasPrefix("### ✅ fairflow check: 4 gates passed, 0 failed\n"))
    // Four digits would print baseline and value alike: the row gets five.
    #expect(markdown.contains("| evaluate | auc | 0.9537 | 0.95371 | +1e-05 |"))
    #expect(
      GateSummary(results: []).markdown
        == "### ✅ fairflow check: no gates (add `gates:` to an evaluate stage)\n")
  }

  @Test func markdownCellsCannotBreakTheTable() {
    #expect(
      GateSummary.escape("a|b*c_d`e<f>[g]~h&i\\j\nk") == #"a\|b\*c\_d\`e\<f\>\[g\]\~h\&i\\j k"#)
    let odd = GatedMetrics(
      stage: "evaluate", output: "m.json", gates: [Self.gate("x|y", max: 1)], baselineFile: nil)
    let markdown = GateSummary(results: odd.check(values: ["x|y": 0.5], baseline: nil)).markdown
    #expect(markdown.contains(#"| evaluate | x\|y | – | 0.5 | – | ≤ 1 | ✅ ok |"#))
  }

  @Test func metricsDiffPrintsReadableChangesAndKeepsExactJSON() {
    var diff = MetricsDiff(revision: "HEAD")
    diff.add(
      file: "metrics/evaluate.json",
      old: ["auc": 0.9537, "accuracy": 0.5, "gone": 1, "same": 0.25],
      new: ["auc": 0.9437002309, "accuracy": 0.9, "rows": 2000, "same": 0.25])
    #expect(
      diff.table == [
        ["file", "metric", "HEAD", "now", "change"],
        ["metrics/evaluate.json", "accuracy", "0.5", "0.9", "+0.4 (+80%)"],
        ["metrics/evaluate.json", "auc", "0.9537", "0.9437", "-0.01 (-1.049%)"],
        ["metrics/evaluate.json", "gone", "1", "–", "removed"],
        ["metrics/evaluate.json", "rows", "–", "2000", "new"],
        ["metrics/evaluate.json", "same", "0.25", "0.25", "0"],
      ])
    let auc = diff.json["metrics"]?.listValue?[1]
    #expect(auc?["new"] == .double(0.9437002309))
    #expect(auc?["change"] == .double(0.9437002309 - 0.9537))
  }
}
