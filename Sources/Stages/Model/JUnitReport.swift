package import Foundation

/// `fairflow check --junit`: the gates as JUnit XML, the test-report format CI systems read
/// (GitLab and Jenkins test reports, GitHub test-report actions, Azure Pipelines).
///
///     <?xml version="1.0" encoding="UTF-8"?>
///     <testsuites name="fairflow check" tests="2" failures="1" errors="0" time="0.003">
///       <testsuite name="evaluate" tests="2" failures="1" errors="0" skipped="0"
///           timestamp="2025-06-01T12:00:00" time="0.003">
///         <properties>
///           <property name="metrics" value="metrics/evaluate.json"/>
///           <property name="baseline" value="baseline.json"/>
///         </properties>
///         <testcase classname="evaluate" name="auc (min 0.9, max_drop 0.005)" time="0">
///           <failure type="gate" message="auc = 0.9437, allowed ≥ 0.9, ≥ 0.9487 (drop ≤
///               0.005); baseline 0.9537 (baseline.json)">value     0.9437 …</failure>
///         </testcase>
///         <testcase classname="evaluate" name="accuracy (min 0.8)" time="0">
///           <system-out>value     0.9 …</system-out>
///         </testcase>
///       </testsuite>
///     </testsuites>
///
/// One suite per evaluate stage with gates, one case per gate: classname is the stage, name the
/// metric and its rules. A regressed gate is a `<failure>` whose message and text give the
/// value, the allowed range and the baseline with where it came from (the `baseline:` file or
/// the metrics file at `--rev`); a missing metrics file or metric is an `<error type="missing">`
/// naming what is missing; a gate that checked nothing (only relative rules, no baseline) is
/// `<skipped>`. Judging a gate takes no measurable time, so cases say 0 and suites the time
/// spent reading their files.
///
/// Constraints, so that the strictest readers accept the file: only attributes the Jenkins
/// junit-10 schema allows (the root carries no `skipped` or `timestamp`: the suites do); times
/// are plain decimals, never exponents; the timestamp is UTC to the second without a zone
/// (Ant's format); `& < > " '` are escaped everywhere, tabs and line breaks inside attributes
/// become character references (a raw one reads back as a space), and the characters XML 1.0
/// forbids (C0 controls but tab and line breaks, U+FFFE, U+FFFF) become U+FFFD.
package struct JUnitReport: Sendable {
  /// One evaluate stage's gate results and the seconds spent reading its files.
  package struct Suite: Sendable {
    package var stage: String
    package var results: [GateResult]
    package var seconds: Double

    package init(stage: String, results: [GateResult], seconds: Double) {
      self.stage = stage
      self.results = results
      self.seconds = seconds
    }
  }

  package var suites: [Suite]
  /// When the check ran.
  package var timestamp: Date
  package var name = "fairflow check"

  package init(suites: [Suite], timestamp: Date) {
    self.suites = suites
    self.timestamp = timestamp
  }

  /// The document, ending in a newline.
  package var xml: String {
    let all = suites.flatMap(\.results)
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out +=
      "<testsuites"
      + attributes(
        [("name", name), ("tests", "\(all.count)")] + counts(all)
          + [("time", Self.seconds(suites.reduce(0) { $0 + $1.seconds }))]) + ">\n"
    for suite in suites { out += xml(suite) }
    return out + "</testsuites>\n"
  }

  private func xml(_ suite: Suite) -> String {
    var out =
      "  <testsuite"
      + attributes(
        [("name", suite.stage), ("tests", "\(suite.results.count)")] + counts(suite.results)
          + [
            ("skipped", "\(suite.results.filter(\.unchecked).count)"),
            ("timestamp", Self.timestamp(timestamp)), ("time", Self.seconds(suite.seconds)),
          ]) + ">\n"
    if let first = suite.results.first {
      out += "    <properties>\n"
      out += "      <property" + attributes([("name", "metrics"), ("value", first.metricsFile)])
      out += "/>\n      <property"
      out += attributes([("name", "baseline"), ("value", first.baselineSource.description)])
      out += "/>\n    </properties>\n"
    }
    for result in suite.results { out += xml(result) }
    return out + "  </testsuite>\n"
  }

  private func xml(_ r: GateResult) -> String {
    let head =
      "    <testcase"
      + attributes([("classname", r.stage), ("name", "\(r.metric) (\(r.rule))"), ("time", "0")])
    let child: String
    if let missing = r.missing {
      child = "<error" + attributes([("type", "missing"), ("message", missing)]) + "/>"
    } else if r.verdict == .fail {
      child =
        "<failure" + attributes([("type", "gate"), ("message", r.summary)]) + ">"
        + Self.escape(r.detail, attribute: false) + "</failure>"
    } else if r.unchecked {
      let reason = "not checked: \(r.allowed(digits: r.digits))"
      child = "<skipped" + attributes([("message", reason)]) + "/>"
    } else {
      child = "<system-out>" + Self.escape(r.detail, attribute: false) + "</system-out>"
    }
    return head + ">\n      " + child + "\n    </testcase>\n"
  }

  private func counts(_ results: [GateResult]) -> [(String, String)] {
    [
      ("failures", "\(results.filter { $0.verdict == .fail }.count)"),
      ("errors", "\(results.filter { $0.verdict == .missing }.count)"),
    ]
  }

  private func attributes(_ pairs: [(String, String)]) -> String {
    pairs.map { " \($0.0)=\"\(Self.escape($0.1, attribute: true))\"" }.joined()
  }

  /// `text` made safe for XML 1.0 inside an element, or with `attribute` inside a quoted
  /// attribute value (where tabs and line breaks must be character references to survive).
  package static func escape(_ text: String, attribute: Bool) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out.append(contentsOf: "&amp;".unicodeScalars)
      case "<": out.append(contentsOf: "&lt;".unicodeScalars)
      case ">": out.append(contentsOf: "&gt;".unicodeScalars)
      case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
      case "'": out.append(contentsOf: "&apos;".unicodeScalars)
      case "\r": out.append(contentsOf: "&#13;".unicodeScalars)
      case "\n" where attribute: out.append(contentsOf: "&#10;".unicodeScalars)
      case "\t" where attribute: out.append(contentsOf: "&#9;".unicodeScalars)
      case "\n", "\t": out.append(scalar)
      default:
        let forbidden = scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF
        out.append(forbidden ? "\u{FFFD}" : scalar)
      }
    }
    return String(out)
  }

  /// Seconds as a plain decimal with millisecond precision ("0.004").
  static func seconds(_ s: Double) -> String {
    String(format: "%.3f", s.isFinite ? Swift.max(0, s) : 0)
  }

  /// UTC to the second, without a zone ("2025-06-01T12:00:00").
  static func timestamp(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
    return formatter.string(from: date)
  }
}
