import Foundation
import Plots
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Every chart is well-formed XML with an SVG root, carries its labels (escaped), and places data
/// inside the plot area.
@Suite struct PlotsTests {
  final class Collector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var texts: [String] = []
    var attributes: [[String: String]] = []
    func parser(
      _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
      qualifiedName: String?, attributes a: [String: String] = [:]
    ) {
      elements.append(name)
      attributes.append(a)
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }
  }

  func parse(_ svg: String) -> Collector? {
    let c = Collector()
    let p = XMLParser(data: Data(svg.utf8))
    p.delegate = c
    guard p.parse() else {
      Issue.record("not XML: \(p.parserError.map { "\($0)" } ?? "")")
      return nil
    }
    return c
  }

  @Test func rocCurveWithLegendAndEscapedLabels() throws {
    let plot = SVGPlot(
      title: "ROC <test> & \"quotes\"", xLabel: "false positive rate", yLabel: "true positive rate")
    let svg = plot.lines(
      [
        .init(name: "IN (AUC 0.97)", x: [0, 0.1, 1], y: [0, 0.8, 1]),
        .init(name: "baseline", x: [0, 1], y: [0, 1]),
      ],
      diagonal: true, xRange: 0...1, yRange: 0...1)
    let c = try #require(parse(svg))
    #expect(c.elements.first == "svg")
    #expect(c.elements.filter { $0 == "polyline" }.count == 2)
    #expect(c.texts.joined().contains("ROC <test> & \"quotes\""))
    #expect(c.texts.contains("IN (AUC 0.97)"))
    // Points stay inside the 560×380 canvas.
    for a in c.attributes where a["points"] != nil {
      for pair in a["points"]!.split(separator: " ") {
        let xy = pair.split(separator: ",").compactMap { Double($0) }
        #expect(xy.count == 2 && (0...560).contains(xy[0]) && (0...380).contains(xy[1]))
      }
    }
  }

  @Test func overlayWithStyledSeriesAndABoxedLegend() throws {
    let plot = SVGPlot(title: "Loss", xLabel: "epoch", yLabel: "loss")
    let series: [SVGPlot.Series] = [
      .init(name: "", x: [1, 2, 3], y: [0.5, 0.3, 0.2], colour: SVGPlot.palette[0]),
      .init(
        name: "", x: [1, 2, 3], y: [0.6, 0.4, 0.35], colour: SVGPlot.palette[0], dashed: true),
    ]
    let legend = SVGPlot.Legend(
      [
        .init(name: "seed 1 · AUC 0.9584", colour: SVGPlot.palette[0]),
        .init(name: "validation <dashed>", colour: "#555", dashed: true),
      ], corner: .bottomRight)
    let svg = plot.lines(series, legend: legend)
    let c = try #require(parse(svg))
    #expect(c.attributes.filter { $0["class"] == "legend-entry" }.count == 2)
    #expect(c.attributes.filter { $0["stroke-dasharray"] == "6 4" }.count == 2)
    #expect(c.texts.joined().contains("validation <dashed>"))
    // The box sits in the bottom-right corner of the plot area (which ends at y = 320).
    let box = try #require(c.attributes.first { $0["stroke"] == "#bbb" })
    let bottom = try #require(Double(box["y"] ?? "")) + (Double(box["height"] ?? "") ?? 0)
    #expect(bottom > 300 && bottom <= 320)
    // Without a Legend the chart is drawn as before: no box, no dashes.
    let plain = plot.lines([.init(name: "a", x: [0, 1], y: [0, 1])])
    #expect(!plain.contains("legend") && !plain.contains("stroke-dasharray"))
  }

  @Test func barsAndHistogram() throws {
    let bars = SVGPlot(title: "ΔAUC per feature", xLabel: "masked feature", yLabel: "ΔAUC")
      .bars(labels: ["track_ptrel", "sv_mass", "a<b"], values: [0.02, -0.001, .nan])
    let c = try #require(parse(bars))
    #expect(
      c.elements.filter { $0 == "rect" }.count == 1 + 1 + 2, "background, frame, two finite bars")
    #expect(c.texts.joined().contains("a<b"), "escaped, and parsed back")
    let histogram = SVGPlot(title: "Peak error", xLabel: "distance (pixels)", yLabel: "patches")
      .histogram((0..<1000).map { Double($0 % 37) / 10 }, bins: 20)
    #expect(parse(histogram) != nil)
    #expect(parse(SVGPlot(title: "empty", xLabel: "", yLabel: "").histogram([])) != nil)
  }

  @Test func heatmapCellsAndLabels() throws {
    let svg = SVGPlot(title: "NAP", xLabel: "layer", yLabel: "node")
      .heatmap(
        [[1, -1, .nan], [0.5, 0]], rowLabels: ["n0", "n1"], columnLabels: ["fr1", "fr2", "fo3"],
        limit: 1)
    let c = try #require(parse(svg))
    let fills = c.attributes.compactMap { $0["fill"] }
    #expect(
      fills.contains("rgb(255,0,0)") && fills.contains("rgb(0,0,255)") && fills.contains("#000"))
    #expect(c.texts.contains("fo3"))
  }
}
