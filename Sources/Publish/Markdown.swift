import Foundation

/// Escaping for text placed in generated Markdown.
enum Markdown {
  /// Text safe inside a table cell: pipes escaped, line breaks as spaces.
  static func cell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: " ")
      .replacingOccurrences(of: "\n", with: " ")
  }

}
