internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowStore
internal import Plots

/// The charts: per stage group, the ROC curves of its evaluate stages overlaid in one chart
/// (read from each stage's `roc.json`) and the training curves of its train stages (read from
/// each model's `training-log.json`; losses in one panel, every other per-epoch value in its
/// own, so a loss of 0.17 and an accuracy of 0.95 each get a readable axis); then every other
/// SVG the stages wrote, inline. A chart whose data file is missing (a run by an older fairflow)
/// is shown as the stage drew it.
extension HTMLReport {
  func charts(_ context: Context) -> (html: String, count: Int) {
    var covered = Set<String>()
    var figures: [String] = []
    for (title, stages) in overlayGroups(context.grouping, kind: "evaluate") {
      if let figure = rocOverlay(title, stages, covered: &covered) { figures.append(figure) }
    }
    for (title, stages) in overlayGroups(context.grouping, kind: "train") {
      if let figure = trainingCurves(title, stages, covered: &covered) { figures.append(figure) }
    }
    for path in chartPaths() where !covered.contains(path) {
      guard let svg = try? FileIO.readText(root + "/" + path), svg.hasPrefix("<svg") else {
        continue
      }
      figures.append(
        "<figure class=\"stage-chart\">\(svg)<figcaption><code>\(h(path))</code></figcaption></figure>\n"
      )
    }
    guard !figures.isEmpty else { return ("<p>No charts yet.</p>\n", 0) }
    return ("<div class=\"charts\">\n" + figures.joined() + "</div>\n", figures.count)
  }

  /// The stages of `kind` to overlay: each matrix group on its own ("evaluate ×10"), all other
  /// stages of the kind together (the ablations side by side).
  func overlayGroups(_ grouping: StageGrouping, kind: String) -> [(String, [Stage])] {
    let stages = loaded.pipeline.stages
    var out: [(String, [Stage])] = []
    var singles: [Stage] = []
    for group in grouping.groups {
      let members = group.members.map { stages[$0] }.filter { $0.kindName == kind }
      guard !members.isEmpty else { continue }
      if group.isMatrix { out.append((group.label, members)) } else { singles += members }
    }
    if !singles.isEmpty { out.append((singles.map(\.name).joined(separator: ", "), singles)) }
    return out
  }

  /// "seed 1" for a one-key matrix cell, "seed=1, lr=0.1" for several keys, else the name.
  func runLabel(_ stage: Stage) -> String {
    switch stage.matrix.count {
    case 0: return stage.name
    case 1: return "\(stage.matrix[0].key) \(stage.matrix[0].value.interpolationText)"
    default:
      return stage.matrix.map { "\($0.key)=\($0.value.interpolationText)" }.joined(separator: ", ")
    }
  }

  func config(_ stage: Stage) -> Value? {
    if case .builtin(_, _, let config) = stage.action { return config }
    return nil
  }

  func rocOverlay(_ title: String, _ stages: [Stage], covered: inout Set<String>) -> String? {
    var series: [SVGPlot.Series] = []
    var entries: [SVGPlot.Legend.Entry] = []
    for stage in stages {
      guard let plots = config(stage)?["plots"]?.stringValue,
        let text = try? FileIO.readText(root + "/" + plots + "/roc.json"),
        let document = try? ValueParser.parse(text, file: plots + "/roc.json"),
        let fpr = document["false_positive_rate"]?.listValue?.compactMap(\.doubleValue),
        let tpr = document["true_positive_rate"]?.listValue?.compactMap(\.doubleValue),
        let auc = document["auc"]?.doubleValue, fpr.count == tpr.count
      else { continue }
      covered.insert(plots + "/roc.svg")
      let colour = SVGPlot.palette[series.count % SVGPlot.palette.count]
      series.append(.init(name: runLabel(stage), x: fpr, y: tpr, colour: colour))
      entries.append(
        .init(name: "\(runLabel(stage)) · AUC \(NumberFormat.significant(auc))", colour: colour))
    }
    guard !series.isEmpty else { return nil }
    var plot = SVGPlot(
      title: "ROC curves: \(title)", xLabel: "false positive rate (background efficiency)",
      yLabel: "true positive rate (signal efficiency)")
    plot.height = 460
    var svg = plot.lines(
      series, diagonal: true, xRange: 0...1, yRange: 0...1,
      legend: .init(entries, corner: .bottomRight))
    var zoomNote = ""
    if let zoom = Self.rocZoom(series) {
      var detail = plot
      detail.title =
        "Detail: false positive rate ≤ \(zoom.x.upperBound)"
      detail.clipsToPlotArea = true
      svg += detail.lines(series, xRange: zoom.x, yRange: zoom.y, legend: .init([]))
      zoomNote = " Right: the corner where the curves differ, enlarged."
    }
    let data = Set(stages.compactMap { config($0)?["data"]?.stringValue }).sorted()
    let on =
      data.isEmpty ? "" : " on " + data.map { "<code>\(h($0))</code>" }.joined(separator: ", ")
    let wide = zoomNote.isEmpty ? "" : " wide"
    return
      "<figure class=\"roc-overlay\(wide)\" data-runs=\"\(series.count)\"><div class=\"panels\">\(svg)</div><figcaption>"
      + "\(series.count) ROC curve\(series.count == 1 ? "" : "s")\(on); the dashed diagonal is a random classifier.\(zoomNote)</figcaption></figure>\n"
  }

  /// The part of a ROC plot where good classifiers differ: false positive rates up to 1.5 times
  /// the largest at which a curve reaches 90 % true positives, true positive rates from the lowest
  /// any curve has at a tenth of that, to 1. Nil when that is not a small corner of the plot
  /// (a weak classifier): the full plot shows it already.
  static func rocZoom(_ series: [SVGPlot.Series]) -> (
    x: ClosedRange<Double>, y: ClosedRange<Double>
  )? {
    var knee = 0.0
    for s in series {
      guard let index = s.y.firstIndex(where: { $0 >= 0.9 }) else { return nil }
      knee = max(knee, s.x[index])
    }
    guard knee > 0, let x = AxisRange.nice([0, 1.5 * knee]), x.upperBound <= 0.25 else {
      return nil
    }
    let low =
      series.map { s in
        s.x.lastIndex { $0 <= x.upperBound / 10 }.map { s.y[$0] } ?? 0
      }.min() ?? 0
    guard let y = AxisRange.nice([low, 1], bounds: 0...1) else { return nil }
    return (x, y)
  }
}
