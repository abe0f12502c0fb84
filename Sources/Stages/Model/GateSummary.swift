/// `fairflow check --markdown`: the gates as Markdown for a CI job summary (GitHub's
/// `$GITHUB_STEP_SUMMARY`, a merge-request comment): a one-line headline, a table with one row
/// per gate, and where the baselines came from.
///
///     ### ❌ fairflow check: 1 gate passed, 1 failed
///
///     | stage | metric | baseline | value | change | allowed | verdict |
///     |---|---|--:|--:|--:|---|---|
///     | evaluate | auc | 0.9537 | 0.9437 | -0.01 | ≥ 0.9, ≥ 0.9487 (drop ≤ 0.005) | ❌ FAIL |
///     | evaluate | accuracy | 0.5 | 0.9 | +0.4 | ≥ 0.8 | ✅ ok |
///
///     Baselines: evaluate: baseline.json.
///
/// Numbers follow `MetricFormat`: four significant digits, more where a row's numbers would
/// otherwise print alike; changes are signed. Names and paths are escaped, so a `|`, `*`, `_` or
/// `<` in a stage or metric name stays text and cannot break the table.
package struct GateSummary: Sendable {
  package var results: [GateResult]

  package init(results: [GateResult]) { self.results = results }

  /// The document, ending in a newline.
  package var markdown: String {
    guard !results.isEmpty else {
      return "### ✅ fairflow check: no gates (add `gates:` to an evaluate stage)\n"
    }
    var out = "### \(headline)\n\n"
    out += "| stage | metric | baseline | value | change | allowed | verdict |\n"
    out += "|---|---|--:|--:|--:|---|---|\n"
    for r in results { out += "| " + row(r).joined(separator: " | ") + " |\n" }
    var seen: Set<String> = []
    let baselines = results.compactMap { r -> String? in
      seen.insert(r.stage).inserted ? "\(r.stage): \(r.baselineSource.description)" : nil
    }
    return out + "\nBaselines: " + Self.escape(baselines.joined(separator: "; ")) + ".\n"
  }

  /// "✅ fairflow check: 3 gates passed, 0 failed", "❌ fairflow check: 1 gate passed, 2 failed
  /// (1 missing)", with ", 1 not checked (no baseline)" where it applies (such a gate does not
  /// fail, nor count as passed).
  package var headline: String {
    let unchecked = results.filter(\.unchecked).count
    let passed = results.filter(\.passed).count - unchecked
    let missing = results.filter { $0.verdict == .missing }.count
    let failed = results.count - passed - unchecked
    var line = "\(failed == 0 ? "✅" : "❌") fairflow check: "
    line += "\(passed) gate\(passed == 1 ? "" : "s") passed, \(failed) failed"
    if missing > 0 { line += " (\(missing) missing)" }
    if unchecked > 0 { line += ", \(unchecked) not checked (no baseline)" }
    return line
  }

  private func row(_ r: GateResult) -> [String] {
    let digits = r.digits
    let verdict: String
    switch r.verdict {
    case .ok: verdict = r.unchecked ? "⚠️ not checked (no baseline)" : "✅ ok"
    case .fail: verdict = "❌ FAIL"
    case .missing: verdict = "❌ MISSING: " + Self.escape(r.missing ?? "")
    }
    return [
      Self.escape(r.stage), Self.escape(r.metric),
      r.baseline.map { MetricFormat.number($0, digits: digits) } ?? "–",
      r.value.map { MetricFormat.number($0, digits: digits) } ?? "–",
      r.change.map { MetricFormat.change($0) } ?? "–",
      r.limits.isEmpty ? "–" : Self.escape(r.allowed(digits: digits)), verdict,
    ]
  }

  /// `text` as literal Markdown inside a table cell: punctuation that could start emphasis, a
  /// link, HTML, code or a new cell is backslash-escaped; line breaks and other controls become
  /// spaces.
  package static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      if "\\`*_[]<>|~&".contains(character) {
        out += "\\\(character)"
      } else if character.unicodeScalars.contains(where: {
        $0.properties.generalCategory == .control
      }) {
        out += " "
      } else {
        out.append(character)
      }
    }
    return out
  }
}
