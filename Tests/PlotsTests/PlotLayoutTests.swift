import Foundation
import Plots
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Margins grow to fit the labels (estimated at 0.6 × font size a character): a heat map's row
/// labels stay inside the canvas, and the x-axis title sits below rotated tick labels. Charts
/// whose labels already fit keep their bytes.
@Suite struct PlotLayoutTests {
  /// FNV-1a (64-bit) of the chart's bytes: a compact pin on output that must not change.
  static func digest(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }

  /// Charts as the stages draw them whose labels fit the default margins.
  static var unchanged: [(name: String, svg: String)] {
    let roc = SVGPlot(
      title: "ROC curve", xLabel: "false positive rate", yLabel: "true positive rate")
    let curves = SVGPlot(title: "Training curves", xLabel: "epoch", yLabel: "value")
    let seeds = SVGPlot.Legend(
      [
        .init(name: "seed 1", colour: SVGPlot.palette[0]),
        .init(name: "val", colour: "#555", dashed: true),
      ],
      corner: .outside)
    var zoom = roc
    zoom.clipsToPlotArea = true
    return [
      (
        "roc",
        roc.lines(
          [.init(name: "AUC 0.97", x: [0, 0.1, 1], y: [0, 0.8, 1])], diagonal: true, xRange: 0...1,
          yRange: 0...1)
      ),
      (
        "curves",
        curves.lines([
          .init(name: "loss", x: [1, 2, 3], y: [0.5, 0.3, 0.2]),
          .init(name: "val_loss", x: [1, 2, 3], y: [0.6, 0.4, 0.35]),
        ])
      ),
      (
        "overlay",
        curves.lines([.init(name: "", x: [1, 2], y: [1, 0.5], dashed: true)], legend: seeds)
      ),
      (
        "zoom",
        zoom.lines(
          [.init(name: "a", x: [0, 0.5], y: [0, 2])], xRange: 0...0.2, yRange: 0...1,
          legend: .init([]))
      ),
      (
        "histogram",
        SVGPlot(title: "Peak position error", xLabel: "distance (pixels)", yLabel: "patches")
          .histogram([0, 0.5, 1, 1, 3], bins: 4)
      ),
      (
        "bars",
        SVGPlot(title: "b", xLabel: "x", yLabel: "y").bars(
          labels: ["a", "bc", "d"], values: [1, -0.5, 2])
      ),
      (
        "heatmap",
        SVGPlot(title: "h", xLabel: "x", yLabel: "y").heatmap(
          [[1, 0], [-1, 0.5]], rowLabels: ["0", "1"], columnLabels: ["0", "1"])
      ),
    ]
  }

  /// Digests of the charts above as drawn before margins fitted labels (ef4bf49).
  @Test func chartsWhoseLabelsFitKeepTheirBytes() {
    let expected = [
      "roc": "35bcc7610d8d4391", "curves": "6a4a6cc71abb8326", "overlay": "84480a9fda16b1c3",
      "zoom": "a149fd2f24b90182", "histogram": "2fa6ce69c3a364a4", "bars": "e713efc624c2880f",
      "heatmap": "aea005fcf2be396e",
    ]
    for (name, svg) in Self.unchanged {
      #expect(Self.digest(svg) == expected[name], "\(name)")
    }
  }

  /// Each `<text>` element: its attributes and its text.
  final class Texts: NSObject, XMLParserDelegate {
    var root: [String: String] = [:]
    var texts: [(attributes: [String: String], text: String)] = []
    var inText = false
    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String] = [:]
    ) {
      if name == "svg" && root.isEmpty { root = attributes }
      inText = name == "text"
      if inText { texts.append((attributes, "")) }
    }
    func parser(
      _ parser: XMLParser, didEndElement name: String, namespaceURI: String?,
      qualifiedName: String?
    ) { inText = false }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if inText { texts[texts.count - 1].text += string }
    }

    func number(_ key: String, of attributes: [String: String]) -> Double {
      Double(attributes[key] ?? "") ?? .nan
    }
    /// The rotated tick labels' lowest and leftmost points (estimated, as `SVGPlot` does).
    var rotatedExtent: (lowest: Double, leftmost: Double) {
      var lowest = -Double.infinity
      var leftmost = Double.infinity
      for (a, text) in texts where a["transform"]?.hasPrefix("rotate(-45 ") == true {
        let size = number("font-size", of: a)
        let reach = SVGPlot.estimatedWidth(of: text, fontSize: size) * 2.0.squareRoot() / 2
        lowest = max(lowest, number("y", of: a) + reach + size)
        leftmost = min(leftmost, number("x", of: a) - reach - size)
      }
      return (lowest, leftmost)
    }
  }

  /// Parses `svg` as XML (failing the test if it is not well formed).
  func texts(_ svg: String) throws -> Texts {
    let texts = Texts()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = texts
    let parsed = parser.parse()
    #expect(parsed, "not XML: \(parser.parserError.map { "\($0)" } ?? "")")
    try #require(parsed)
    #expect(texts.root["viewBox"] != nil)
    return texts
  }

  static let features = [
    "trackBTag_PParRatio", "trackBTag_Sip2dSig&", "track_pt_log", "sv_costhetasvpv", "a<b",
  ]

  @Test func heatMapRowLabelsFitTheLeftMargin() throws {
    let label = "track_<20_characters"
    #expect(label.count == 20)
    let svg = SVGPlot(title: "LRP", xLabel: "track slot", yLabel: "feature")
      .heatmap(
        [[1, 0, -1], [0.5, 0.2, 0], [0, 0, 0]], rowLabels: [label, "track_pt_log", "x"],
        columnLabels: ["0", "1", "2"])
    let c = try texts(svg)
    let row = try #require(c.texts.first { $0.text == label })
    #expect(c.number("x", of: row.attributes) - SVGPlot.estimatedWidth(of: label, fontSize: 9) >= 0)
    #expect(c.root["width"] == "608", "the canvas widens by what the margin grows (70 → 118)")
  }

  @Test func xAxisTitleSitsBelowRotatedTickLabels() throws {
    let bars = SVGPlot(title: "ΔAUC", xLabel: "track feature", yLabel: "ΔAUC (%)")
      .bars(labels: Self.features, values: [0.5, -0.2, 0.1, .nan, 0])
    let heatmap = SVGPlot(title: "NAP", xLabel: "layer", yLabel: "node")
      .heatmap(
        [[1, -1, 0, 0.5, 0.1]], rowLabels: ["0"], columnLabels: Self.features.reversed(),
        limit: 1)
    for (svg, title) in [(bars, "track feature"), (heatmap, "layer")] {
      let c = try texts(svg)
      let (lowest, leftmost) = c.rotatedExtent
      let axisTitle = try #require(c.texts.first { $0.text == title })
      let y = c.number("y", of: axisTitle.attributes)
      #expect(y - 12 >= lowest, "the title's top is below every rotated label")
      #expect(y <= c.number("height", of: c.root), "and inside the canvas")
      #expect(leftmost >= 0, "the first rotated label starts inside the canvas")
    }
  }
}
