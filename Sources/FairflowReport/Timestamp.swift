/// The RFC 3339 UTC timestamps of provenance records (`2026-11-22T15:01:02.123Z`) as seconds
/// since 1970, and durations as people read them; enough to say when a run started and how long
/// it took without Foundation's date machinery.
package enum Timestamp {
  /// Seconds since the epoch, or nil when `text` is not `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
  package static func seconds(_ text: String) -> Double? {
    let parts = text.split(whereSeparator: { "-T:Z".contains($0) })
    guard text.hasSuffix("Z"), parts.count == 6, let year = Int(parts[0]),
      let month = Int(parts[1]), let day = Int(parts[2]), let hour = Int(parts[3]),
      let minute = Int(parts[4]), let second = Double(parts[5]), (1...12).contains(month)
    else { return nil }
    // Days from civil (Howard Hinnant's algorithm), proleptic Gregorian.
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    let days = era * 146_097 + dayOfEra - 719_468
    return Double(days * 86_400 + hour * 3_600 + minute * 60) + second
  }

  /// "0.42 s", "12.3 s", "2 min 41 s", "1 h 05 min".
  package static func duration(_ seconds: Double) -> String {
    if seconds < 60 { return NumberFormat.significant(seconds, digits: 3) + " s" }
    let whole = Int(seconds.rounded())
    if whole < 3_600 { return "\(whole / 60) min \(whole % 60) s" }
    let minutes = (whole % 3_600) / 60
    return "\(whole / 3_600) h \(minutes < 10 ? "0" : "")\(minutes) min"
  }

  /// "2026-11-22 15:01 UTC" from a record's timestamp (as given when it does not parse).
  package static func display(_ text: String) -> String {
    guard seconds(text) != nil, text.count >= 16 else { return text }
    let characters = Array(text)
    return String(characters[0..<10]) + " " + String(characters[11..<16]) + " UTC"
  }
}
