/// Margins that grow to fit their labels. SVG cannot measure text before a browser lays it out,
/// so a label's width is estimated as 0.6 × the font size a character: about the mean advance of
/// the default sans-serif (DejaVu Sans, Liberation Sans, Arial) over lower-case letters, digits,
/// `_` and spaces. Runs of wide capitals come out wider, so each fit keeps a few pixels spare.
///
/// Bar and heat-map x ticks are rotated by −45° with `text-anchor="end"`: each label ends at its
/// anchor, 12 px below the plot area, and rises to the right from its start, so a label w wide
/// reaches w·sin 45° below and w·cos 45° left of its anchor, plus up to one font size of glyph
/// (descenders, and the glyph height across the slant):
///
///     ──────────────────┬─── plot area's bottom
///                  ╱  anchor (12 px down)
///               ╱
///            ╱           w·sin 45° + font size
///     ─────────────────────── the labels' lowest point
///          x-axis title        (its baseline one title font size further down)
///
/// Heat-map row labels end 4 px left of the plot area, so the left margin is at least the
/// longest one's width plus 10 px.
///
/// The canvas grows instead of the plot area shrinking (as for an `.outside` legend): a chart
/// whose labels fit the default margins is drawn byte for byte as before, and one that needs
/// more room keeps its plot area's size.
extension SVGPlot {
  static let tickLabelFontSize = 9.0
  static let tickLabelOffset = 12.0
  static let axisTitleFontSize = 12.0
  static let slant = (2.0).squareRoot() / 2  // sin 45° = cos 45°

  /// The estimated width of `text` in the default sans-serif at `fontSize` (0.6 em a character).
  public static func estimatedWidth(of text: String, fontSize: Double) -> Double {
    0.6 * fontSize * Double(text.count)
  }

  /// How far below its anchor the lowest of `labels`, drawn at −45°, reaches.
  static func rotatedDrop(_ labels: [String]) -> Double {
    let widest = labels.map { estimatedWidth(of: $0, fontSize: tickLabelFontSize) }.max() ?? 0
    return widest * slant + tickLabelFontSize
  }

  /// This chart with the room its rotated x-tick `labels` (one per column of `columns`) and
  /// its `rowLabels` need, when the x-axis title's baseline sits `titleInset` above the canvas's
  /// bottom edge.
  func fitting(
    columnLabels labels: [String], columns: Int, rowLabels: [String] = [], titleInset: Double
  ) -> SVGPlot {
    var fitted = self
    let bottom =
      (Self.tickLabelOffset + Self.rotatedDrop(labels) + Self.axisTitleFontSize + titleInset)
      .rounded(.up)
    if bottom > margin.bottom {
      fitted.height += bottom - margin.bottom
      fitted.margin.bottom = bottom
    }
    let rows = rowLabels.map { Self.estimatedWidth(of: $0, fontSize: Self.tickLabelFontSize) }
    var left = (rows.max() ?? 0) + 10
    if let first = labels.first {
      // The first rotated label reaches left of its column's middle.
      let step = (width - margin.left - margin.right) / Double(max(columns, 1))
      let reach = Self.estimatedWidth(of: first, fontSize: Self.tickLabelFontSize) * Self.slant
      left = max(left, reach + Self.tickLabelFontSize - step / 2 + 4)
    }
    left = left.rounded(.up)
    if left > margin.left {
      fitted.width += left - margin.left
      fitted.margin.left = left
    }
    return fitted
  }
}
