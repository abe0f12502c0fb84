/// Small, dependency-free SVG charts: line charts (ROC curves, training curves), bar charts
/// (ΔAUC per feature, relevances) and histograms (peak-position errors). Output is standalone SVG
/// 1.1 with labelled axes, ticks, a legend and escaped text; it embeds in HTML as is.
public struct SVGPlot: Sendable {
  public struct Series: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// The line's colour (a CSS colour); nil takes the next colour of the default palette.
    public var colour: String?
    /// Drawn dashed (e.g. validation beside a solid training curve).
    public var dashed: Bool
    public init(
      name: String, x: [Double], y: [Double], colour: String? = nil, dashed: Bool = false
    ) {
      self.name = name
      self.x = x
      self.y = y
      self.colour = colour
      self.dashed = dashed
    }
  }

  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var width = 560.0
  public var height = 380.0
  static let colours = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf",
  ]
  var margin = (left: 70.0, right: 20.0, top: 40.0, bottom: 60.0)
  /// Lines stop at the plot area's edge (for a zoom into part of the data's range).
  public var clipsToPlotArea = false

  public init(title: String, xLabel: String, yLabel: String) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
  }

  /// Lines through each series' points (`diagonal` adds the y = x reference of a ROC plot).
  /// Without `legend`, every named series is listed at the top right; with it, exactly its
  /// entries, boxed, where it says.
  public func lines(
    _ series: [Series], diagonal: Bool = false, xRange: ClosedRange<Double>? = nil,
    yRange: ClosedRange<Double>? = nil, legend: Legend? = nil
  )
    -> String
  {
    widened(for: legend).drawLines(
      series, diagonal: diagonal, xRange: xRange, yRange: yRange, legend: legend)
  }

  func drawLines(
    _ series: [Series], diagonal: Bool, xRange: ClosedRange<Double>?,
    yRange: ClosedRange<Double>?, legend: Legend?
  ) -> String {
    let xs = series.flatMap(\.x).filter(\.isFinite)
    let ys = series.flatMap(\.y).filter(\.isFinite)
    let xr = xRange ?? Self.range(xs)
    let yr = yRange ?? Self.range(ys)
    var body = axes(xr, yr)
    if diagonal {
      body +=
        "<line x1=\"\(f(px(xr.lowerBound, xr)))\" y1=\"\(f(py(yr.lowerBound, yr)))\" x2=\"\(f(px(xr.upperBound, xr)))\" y2=\"\(f(py(yr.upperBound, yr)))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
    }
    var data = ""
    for (i, s) in series.enumerated() {
      let points = zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite }
        .map { "\(f(px($0.0, xr))),\(f(py($0.1, yr)))" }.joined(separator: " ")
      let colour = s.colour ?? Self.colours[i % Self.colours.count]
      let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
      data +=
        "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash) points=\"\(points)\"/>\n"
    }
    body += clipsToPlotArea ? clipped(data) : data
    return document(body + (legend.map(boxed) ?? self.legend(series.map(\.name))))
  }

  /// One bar per label (negative values go below zero). The margins grow to fit long labels.
  public func bars(labels: [String], values: [Double]) -> String {
    fitting(columnLabels: labels, columns: labels.count, titleInset: 12)
      .drawBars(labels: labels, values: values)
  }

  func drawBars(labels: [String], values: [Double]) -> String {
    let finite = values.filter(\.isFinite)
    let yr = Self.range(finite + [0])
    var body = axes(0...Double(max(labels.count, 1)), yr, xTicks: false)
    let plotWidth = width - margin.left - margin.right
    let step = plotWidth / Double(max(labels.count, 1))
    for (i, (label, value)) in zip(labels, values).enumerated() {
      if value.isFinite {
        let x = margin.left + Double(i) * step + step * 0.15
        let top = py(max(value, 0), yr)
        let bottom = py(min(value, 0), yr)
        body +=
          "<rect x=\"\(f(x))\" y=\"\(f(top))\" width=\"\(f(step * 0.7))\" height=\"\(f(bottom - top))\" fill=\"\(Self.colours[0])\"><title>\(Self.escape(label)): \(value)</title></rect>\n"
      }
      let lx = margin.left + (Double(i) + 0.5) * step
      let ly = height - margin.bottom + 12
      body +=
        "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-size=\"9\" text-anchor=\"end\" transform=\"rotate(-45 \(f(lx)) \(f(ly)))\">\(Self.escape(label))</text>\n"
    }
    return document(body)
  }

  /// A histogram of `values` in `bins` equal-width bins.
  public func histogram(_ values: [Double], bins: Int = 40) -> String {
    let finite = values.filter(\.isFinite)
    let xr = Self.range(finite)
    var counts = [Double](repeating: 0, count: max(bins, 1))
    for v in finite {
      let k = min(
        bins - 1, max(0, Int((v - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * Double(bins))))
      counts[k] += 1
    }
    let yr = 0...(counts.max().map { max($0, 1) } ?? 1)
    var body = axes(xr, yr)
    let w = (xr.upperBound - xr.lowerBound) / Double(bins)
    for (k, c) in counts.enumerated() where c > 0 {
      let x0 = px(xr.lowerBound + Double(k) * w, xr)
      let x1 = px(xr.lowerBound + Double(k + 1) * w, xr)
      body +=
        "<rect x=\"\(f(x0))\" y=\"\(f(py(c, yr)))\" width=\"\(f(max(x1 - x0 - 1, 1)))\" height=\"\(f(py(0, yr) - py(c, yr)))\" fill=\"\(Self.colours[0])\"/>\n"
    }
    return document(body)
  }

  /// A heat map of `values[row][column]` on a diverging blue–white–red scale over
  /// `-limit...limit` (NaN cells black), e.g. a NAP diagram (nodes × layers) or per-object
  /// relevances (features × track slots). The margins grow to fit long labels.
  public func heatmap(
    _ values: [[Double]], rowLabels: [String], columnLabels: [String], limit: Double? = nil
  ) -> String {
    let rows = values.count
    let columns = values.map(\.count).max() ?? 0
    return fitting(
      columnLabels: Array(columnLabels.prefix(columns)), columns: columns,
      rowLabels: rows <= Self.labelledRows ? Array(rowLabels.prefix(rows)) : [], titleInset: 6
    )
    .drawHeatmap(values, rowLabels: rowLabels, columnLabels: columnLabels, limit: limit)
  }

  /// Heat maps with more rows than this leave them unlabelled.
  static let labelledRows = 40

  func drawHeatmap(
    _ values: [[Double]], rowLabels: [String], columnLabels: [String], limit: Double?
  ) -> String {
    let rows = values.count
    let columns = values.map(\.count).max() ?? 0
    let finite = values.flatMap { $0 }.filter(\.isFinite)
    let bound = limit ?? max(finite.map(abs).max() ?? 1, 1e-12)
    var body = ""
    let plotWidth = width - margin.left - margin.right
    let plotHeight = height - margin.top - margin.bottom
    let cw = plotWidth / Double(max(columns, 1))
    let ch = plotHeight / Double(max(rows, 1))
    for (r, row) in values.enumerated() {
      for c in 0..<columns {
        let v = c < row.count ? row[c] : .nan
        let colour: String
        if !v.isFinite {
          colour = "#000"
        } else {
          let t = max(-1, min(1, v / bound))
          let fade = Int((1 - abs(t)) * 255)
          colour = t >= 0 ? "rgb(255,\(fade),\(fade))" : "rgb(\(fade),\(fade),255)"
        }
        body +=
          "<rect x=\"\(f(margin.left + Double(c) * cw))\" y=\"\(f(margin.top + Double(r) * ch))\" width=\"\(f(cw + 0.5))\" height=\"\(f(ch + 0.5))\" fill=\"\(colour)\"/>"
      }
      body += "\n"
    }
    for (c, label) in columnLabels.enumerated() where c < columns {
      let x = margin.left + (Double(c) + 0.5) * cw
      let y = height - margin.bottom + 12
      body +=
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"9\" text-anchor=\"end\" transform=\"rotate(-45 \(f(x)) \(f(y)))\">\(Self.escape(label))</text>\n"
    }
    if rows <= Self.labelledRows {
      for (r, label) in rowLabels.enumerated() where r < rows {
        body +=
          "<text x=\"\(f(margin.left - 4))\" y=\"\(f(margin.top + (Double(r) + 0.7) * ch))\" font-size=\"9\" text-anchor=\"end\">\(Self.escape(label))</text>\n"
      }
    }
    body +=
      "<text x=\"\(f(width / 2))\" y=\"22\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\">\(Self.escape(title)) (±\(Self.tick(bound)))</text>\n"
    body +=
      "<text x=\"\(f(width / 2))\" y=\"\(f(height - 6))\" font-size=\"12\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
    return document(body)
  }

  // MARK: - Parts

  func px(_ x: Double, _ r: ClosedRange<Double>) -> Double {
    margin.left + (x - r.lowerBound) / (r.upperBound - r.lowerBound)
      * (width - margin.left - margin.right)
  }

  func py(_ y: Double, _ r: ClosedRange<Double>) -> Double {
    height - margin.bottom - (y - r.lowerBound) / (r.upperBound - r.lowerBound)
      * (height - margin.top - margin.bottom)
  }

  func f(_ v: Double) -> String { String(format: v) }

  func axes(_ xr: ClosedRange<Double>, _ yr: ClosedRange<Double>, xTicks: Bool = true) -> String {
    let left = margin.left
    let bottom = height - margin.bottom
    var s =
      "<rect x=\"\(f(left))\" y=\"\(f(margin.top))\" width=\"\(f(width - left - margin.right))\" height=\"\(f(bottom - margin.top))\" fill=\"none\" stroke=\"#333\"/>\n"
    for k in 0...5 {
      let y = yr.lowerBound + (yr.upperBound - yr.lowerBound) * Double(k) / 5
      s +=
        "<line x1=\"\(f(left - 4))\" y1=\"\(f(py(y, yr)))\" x2=\"\(f(left))\" y2=\"\(f(py(y, yr)))\" stroke=\"#333\"/>"
      s +=
        "<text x=\"\(f(left - 6))\" y=\"\(f(py(y, yr) + 3))\" font-size=\"10\" text-anchor=\"end\">\(Self.tick(y))</text>\n"
      if xTicks {
        let x = xr.lowerBound + (xr.upperBound - xr.lowerBound) * Double(k) / 5
        s +=
          "<line x1=\"\(f(px(x, xr)))\" y1=\"\(f(bottom))\" x2=\"\(f(px(x, xr)))\" y2=\"\(f(bottom + 4))\" stroke=\"#333\"/>"
        s +=
          "<text x=\"\(f(px(x, xr)))\" y=\"\(f(bottom + 16))\" font-size=\"10\" text-anchor=\"middle\">\(Self.tick(x))</text>\n"
      }
    }
    s +=
      "<text x=\"\(f(width / 2))\" y=\"\(f(height - 12))\" font-size=\"12\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
    s +=
      "<text x=\"16\" y=\"\(f(height / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(height / 2)))\">\(Self.escape(yLabel))</text>\n"
    s +=
      "<text x=\"\(f(width / 2))\" y=\"22\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\">\(Self.escape(title))</text>\n"
    return s
  }

  func legend(_ names: [String]) -> String {
    guard names.count > 1 || !(names.first ?? "").isEmpty else { return "" }
    var s = ""
    for (i, name) in names.enumerated() {
      let y = margin.top + 14 + Double(i) * 16
      let x = width - margin.right - 150
      s +=
        "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 18))\" y2=\"\(f(y - 4))\" stroke=\"\(Self.colours[i % Self.colours.count])\" stroke-width=\"2\"/>"
      s += "<text x=\"\(f(x + 24))\" y=\"\(f(y))\" font-size=\"11\">\(Self.escape(name))</text>\n"
    }
    return s
  }

  func document(_ body: String) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\">\n"
      + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n"
  }

  static func range(_ values: [Double]) -> ClosedRange<Double> {
    guard let lo = values.min(), let hi = values.max() else { return 0...1 }
    if lo == hi { return (lo - 1)...(hi + 1) }
    return lo...hi
  }

  static func tick(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e6 { return String(Int(v)) }
    return String(format: v, digits: 3)
  }

  public static func escape(_ text: String) -> String {
    var out = ""
    for c in text.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case _ where c.value < 0x20 && c != "\n" && c != "\t": out += " "
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }
}

extension String {
  /// Fixed-point number for SVG coordinates (2 decimals) or ticks (`digits` significant).
  init(format value: Double, digits: Int? = nil) {
    if let digits {
      let magnitude = value == 0 ? 0 : Int((abs(value)).log10.rounded(.down))
      let decimals = Swift.max(0, digits - 1 - magnitude)
      self = String.fixed(value, decimals)
    } else {
      self = String.fixed(value, 2)
    }
  }

  static func fixed(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var s = "\(rounded)"
    if s.hasSuffix(".0") { s.removeLast(2) }
    return s
  }
}

extension Double {
  var log10: Double {
    var x = self
    var e = 0.0
    while x >= 10 {
      x /= 10
      e += 1
    }
    while x < 1 && x > 0 {
      x *= 10
      e -= 1
    }
    return e
  }
}
