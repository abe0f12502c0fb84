/// The pipeline graph as inline SVG: one rounded box per stage group in `DAGLayout`'s columns,
/// left to right, filled by status, with a curved arrow for every direct dependency between
/// groups (the transitive reduction: an edge also implied by a longer path is not drawn, so a
/// 13-step study shows its 13 steps rather than a hairball) and a legend of the statuses. Pure string building from the layout: the same pipeline state gives
/// the same bytes.
///
/// Geometry: boxes are `nodeHeight` tall and as wide as their longest line (an estimate of
/// 7 px per character of 12 px sans-serif; no font metrics offline), a column as wide as its
/// widest box; columns are `columnGap` apart and centred vertically. The `viewBox` holds
/// everything, so the page scales the drawing down instead of cutting it off.
///
///     ┌──────────┐      ┌───────────┐      ┌──────────────┐
///     │ generate │ ───▶ │ convert   │ ───▶ │ train ×10    │ ─ …
///     │ up to date│      │ up to date│      │ 10 up to date│
///     └──────────┘      └───────────┘      └──────────────┘
package struct DAGDrawing: Sendable {
  /// One box.
  package struct Node: Sendable {
    /// First line, bold: "train ×10".
    package var label: String
    /// Second line: "10 up to date", "3 stale · 7 up to date".
    package var detail: String
    package var status: StageStatus
    /// The `data-stage` attribute (the group's name).
    package var name: String

    package init(name: String, label: String, detail: String, status: StageStatus) {
      self.name = name
      self.label = label
      self.detail = detail
      self.status = status
    }
  }

  package var nodes: [Node]
  package var edges: [(from: Int, to: Int)]
  let nodeHeight = 42.0
  let rowGap = 18.0
  let columnGap = 56.0
  let margin = 12.0
  let legendHeight = 30.0

  package init(nodes: [Node], edges: [(from: Int, to: Int)]) {
    self.nodes = nodes
    self.edges = edges
  }

  static func textWidth(_ text: String, size: Double) -> Double {
    Double(text.count) * size * 0.58
  }

  func boxWidth(_ node: Node) -> Double {
    max(
      96, Self.textWidth(node.label, size: 12.5) + 22, Self.textWidth(node.detail, size: 10.5) + 22)
  }

  /// The SVG element (`class="dag"`), without an XML declaration, to embed in HTML.
  package var svg: String {
    let edges = DAGLayout.transitiveReduction(nodeCount: nodes.count, edges: self.edges)
    let layout = DAGLayout(nodeCount: nodes.count, edges: edges)
    var boxes = [(x: Double, y: Double, width: Double)](
      repeating: (0, 0, 0), count: nodes.count)
    let tallest = layout.columns.map(\.count).max() ?? 0
    let plotHeight = Double(tallest) * (nodeHeight + rowGap) - rowGap
    var x = margin
    for column in layout.columns {
      let width = column.map { boxWidth(nodes[$0]) }.max() ?? 0
      let height = Double(column.count) * (nodeHeight + rowGap) - rowGap
      var y = margin + (plotHeight - height) / 2
      for node in column {
        let own = boxWidth(nodes[node])
        boxes[node] = (x + (width - own) / 2, y, own)
        y += nodeHeight + rowGap
      }
      x += width + columnGap
    }
    let width = max(x - columnGap + margin, 360)
    let height = margin + max(plotHeight, 0) + margin + legendHeight
    var s =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"dag\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" font-family=\"sans-serif\" role=\"img\" aria-label=\"pipeline graph\">\n"
    s +=
      "<defs><marker id=\"dag-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n"
    for edge in edges.sorted(by: { ($0.from, $0.to) < ($1.from, $1.to) }) where edge.from != edge.to
    {
      s += self.edge(from: boxes[edge.from], to: boxes[edge.to], ids: (edge.from, edge.to))
    }
    for (index, node) in nodes.enumerated() {
      s += box(node, at: boxes[index])
    }
    s += legend(y: height - legendHeight + 8)
    return s + "</svg>\n"
  }

  func edge(
    from a: (x: Double, y: Double, width: Double), to b: (x: Double, y: Double, width: Double),
    ids: (Int, Int)
  ) -> String {
    let start = (x: a.x + a.width, y: a.y + nodeHeight / 2)
    let end = (x: b.x - 1, y: b.y + nodeHeight / 2)
    let bend = max((end.x - start.x) / 2, 20)
    let path =
      "M\(n(start.x)),\(n(start.y)) C\(n(start.x + bend)),\(n(start.y)) \(n(end.x - bend)),\(n(end.y)) \(n(end.x)),\(n(end.y))"
    return
      "<path class=\"edge\" data-from=\"\(ids.0)\" data-to=\"\(ids.1)\" d=\"\(path)\" fill=\"none\" stroke=\"#777\" stroke-width=\"1.3\" marker-end=\"url(#dag-arrow)\"/>\n"
  }

  func box(_ node: Node, at place: (x: Double, y: Double, width: Double)) -> String {
    let (fill, stroke) = node.status.colours
    let centre = place.x + place.width / 2
    var s =
      "<g class=\"node\" data-stage=\"\(HTML.escape(node.name))\" data-status=\"\(node.status.rawValue)\">"
    s += "<title>\(HTML.escape(node.label)): \(HTML.escape(node.detail))</title>"
    s +=
      "<rect x=\"\(n(place.x))\" y=\"\(n(place.y))\" width=\"\(n(place.width))\" height=\"\(n(nodeHeight))\" rx=\"7\" fill=\"\(fill)\" stroke=\"\(stroke)\" stroke-width=\"1.5\"/>"
    s +=
      "<text x=\"\(n(centre))\" y=\"\(n(place.y + 18))\" font-size=\"12.5\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#222\">\(HTML.escape(node.label))</text>"
    s +=
      "<text x=\"\(n(centre))\" y=\"\(n(place.y + 33))\" font-size=\"10.5\" text-anchor=\"middle\" fill=\"#444\">\(HTML.escape(node.detail))</text>"
    return s + "</g>\n"
  }

  func legend(y: Double) -> String {
    var s = "<g class=\"dag-legend\">"
    var x = margin
    for status in StageStatus.allCases {
      let (fill, stroke) = status.colours
      s +=
        "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"14\" height=\"14\" rx=\"3\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>"
      s +=
        "<text x=\"\(n(x + 19))\" y=\"\(n(y + 11))\" font-size=\"11\" fill=\"#333\">\(status.label)</text>"
      x += 19 + Self.textWidth(status.label, size: 11) + 18
    }
    return s + "</g>\n"
  }

  /// Coordinates to two decimals at most, without trailing zeros ("12", "12.5", "12.25").
  func n(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
  }
}
