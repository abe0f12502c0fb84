/// Boxed legends for overlay charts (several runs in one chart): entries need not be one per
/// series (ten seeds × training and validation lines are listed as ten colours and two line
/// styles), sit on a white box so they stay readable over the lines, and go in the corner the
/// data leaves free (bottom right for a ROC curve) or beside the plot, which then widens by the
/// legend's width so it never covers data. Charts drawn without a `Legend` keep the original
/// legend, byte for byte. Also here: clipping lines to the plot area, for enlarged details.
extension SVGPlot {
  /// Ten distinguishable colours (matplotlib's "tab10"), for overlays of up to ten runs.
  public static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
  ]

  /// What a legend lists and where.
  public struct Legend: Sendable {
    /// One line sample and its label.
    public struct Entry: Sendable {
      public var name: String
      public var colour: String
      public var dashed: Bool
      public init(name: String, colour: String, dashed: Bool = false) {
        self.name = name
        self.colour = colour
        self.dashed = dashed
      }
    }

    /// Where the legend goes: a corner of the plot area, or to the right of it.
    public enum Corner: Sendable {
      case topRight, bottomRight, outside
    }

    public var entries: [Entry]
    public var corner: Corner
    /// The box's width at least (charts side by side keep one size with equal widths).
    public var minimumWidth: Double
    public init(_ entries: [Entry], corner: Corner = .topRight, minimumWidth: Double = 0) {
      self.entries = entries
      self.corner = corner
      self.minimumWidth = minimumWidth
    }

    /// The box's width: a line sample, then the longest label (≈ 6.2 px a character at 11 px).
    public var width: Double {
      max(minimumWidth, 34 + Double(entries.map { $0.name.count }.max() ?? 0) * 6.2)
    }
  }

  /// This chart with room on the right for an `.outside` legend (unchanged otherwise).
  func widened(for legend: Legend?) -> SVGPlot {
    guard let legend, legend.corner == .outside, !legend.entries.isEmpty else { return self }
    var wider = self
    wider.width += legend.width + 10
    wider.margin.right += legend.width + 10
    return wider
  }

  /// The legend as a `<g class="legend">` of `<g class="legend-entry">` groups on a white box.
  func boxed(_ legend: Legend) -> String {
    guard !legend.entries.isEmpty else { return "" }
    let rowHeight = 15.0
    let boxWidth = legend.width
    let boxHeight = Double(legend.entries.count) * rowHeight + 8
    let x =
      legend.corner == .outside
      ? width - margin.right + 10 : width - margin.right - boxWidth - 6
    let y =
      legend.corner == .bottomRight ? height - margin.bottom - boxHeight - 6 : margin.top + 6
    var s = "<g class=\"legend\">\n"
    s +=
      "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n"
    for (i, entry) in legend.entries.enumerated() {
      let baseline = y + 4 + Double(i + 1) * rowHeight - 3
      let dash = entry.dashed ? " stroke-dasharray=\"6 4\"" : ""
      s += "<g class=\"legend-entry\">"
      s +=
        "<line x1=\"\(f(x + 6))\" y1=\"\(f(baseline - 4))\" x2=\"\(f(x + 26))\" y2=\"\(f(baseline - 4))\" stroke=\"\(entry.colour)\" stroke-width=\"2\"\(dash)/>"
      s +=
        "<text x=\"\(f(x + 30))\" y=\"\(f(baseline))\" font-size=\"11\">\(Self.escape(entry.name))</text></g>\n"
    }
    return s + "</g>\n"
  }

  /// `body` inside a nested `<svg>` over the plot area with the same coordinates: SVG clips a
  /// nested viewport, so no `clipPath` id is needed (ids would clash between the charts of one
  /// HTML page).
  func clipped(_ body: String) -> String {
    let w = width - margin.left - margin.right
    let h = height - margin.top - margin.bottom
    return
      "<svg x=\"\(f(margin.left))\" y=\"\(f(margin.top))\" width=\"\(f(w))\" height=\"\(f(h))\" viewBox=\"\(f(margin.left)) \(f(margin.top)) \(f(w)) \(f(h))\" overflow=\"hidden\">\n"
      + body + "</svg>\n"
  }
}
