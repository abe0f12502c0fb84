public import Foundation

/// The one date a bundle depends on (Bagging-Date, DataCite `Issued`, CFF `date-released`),
/// injected so the same inputs on another day still give the same bytes. Rendered in UTC.
public struct BundleDate: Sendable, Equatable {
  public var date: Date

  public init(_ date: Date) { self.date = date }

  private var components: DateComponents {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.dateComponents([.year, .month, .day], from: date)
  }

  public var year: Int { components.year ?? 1970 }

  /// `YYYY-MM-DD`.
  public var day: String {
    let parts = components
    func pad(_ value: Int?, _ width: Int) -> String {
      let text = String(value ?? 0)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))"
  }
}
