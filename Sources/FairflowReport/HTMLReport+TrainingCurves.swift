internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowStore
internal import Plots

/// Training curves in panels: every `*loss` series in one panel (training solid, validation
/// dashed, one colour per run), every other per-epoch value (`val_accuracy`, `val_distance_px`)
/// in a panel of its own with its own y-axis.
extension HTMLReport {
  /// One run's per-epoch log: series name → (epoch, value) points.
  typealias TrainingLog = [(key: String, points: [(Double, Double)])]

  func trainingCurves(_ title: String, _ stages: [Stage], covered: inout Set<String>) -> String? {
    var runs: [Run] = []
    for stage in stages {
      guard let output = config(stage)?["output"]?.stringValue,
        let log = trainingLog(output + "/training-log.json")
      else { continue }
      covered.insert(output + "/training-curves.svg")
      runs.append(Run(runLabel(stage), SVGPlot.palette[runs.count % SVGPlot.palette.count], log))
    }
    guard !runs.isEmpty else { return nil }
    let keys = runs.flatMap { $0.log.map(\.key) }.uniqued()
    let losses = keys.filter { $0.hasSuffix("loss") }
    let others = keys.filter { !$0.hasSuffix("loss") }
    // Legends: the loss panel lists the line styles; the runs' colours are listed once, in the
    // first other panel (or the loss panel when there is none). With several runs both go
    // beside their plots, at one width, so the panels stay the same size and no line is hidden.
    let styles = losses.enumerated().map { index, key in
      SVGPlot.Legend.Entry(name: Self.quantity(key), colour: "#555", dashed: index > 0)
    }
    let colours =
      runs.count > 1 ? runs.map { SVGPlot.Legend.Entry(name: $0.label, colour: $0.colour) } : []
    let lossEntries = others.isEmpty ? colours + styles : styles
    let width = SVGPlot.Legend(lossEntries + (others.isEmpty ? [] : colours)).width
    func legend(_ entries: [SVGPlot.Legend.Entry]) -> SVGPlot.Legend {
      .init(entries, corner: runs.count > 1 ? .outside : .topRight, minimumWidth: width)
    }
    var panels: [String] = []
    if !losses.isEmpty {
      let series = runs.flatMap { run in
        losses.enumerated().compactMap { index, key in
          run.series(key, dashed: index > 0)
        }
      }
      panels.append(panel("Loss", "loss", series, legend(lossEntries)))
    }
    for key in others {
      let name = Self.quantity(key)
      let series = runs.compactMap { $0.series(key) }
      panels.append(
        panel(
          name.prefix(1).uppercased() + name.dropFirst(), name, series,
          legend(key == others.first ? colours : [])))
    }
    return
      "<figure class=\"training-curves wide\" data-runs=\"\(runs.count)\"><div class=\"panels\">"
      + panels.joined() + "</div><figcaption>Training curves: \(h(title)) (per epoch; "
      + "losses: training solid, validation dashed).</figcaption></figure>\n"
  }

  /// One run's log with its legend label and colour.
  struct Run {
    var label: String
    var colour: String
    var log: TrainingLog
    init(_ label: String, _ colour: String, _ log: TrainingLog) {
      self.label = label
      self.colour = colour
      self.log = log
    }

    func series(_ key: String, dashed: Bool = false) -> SVGPlot.Series? {
      guard let points = log.first(where: { $0.key == key })?.points else { return nil }
      return .init(
        name: label, x: points.map(\.0), y: points.map(\.1), colour: colour, dashed: dashed)
    }
  }

  func panel(
    _ title: String, _ quantity: String, _ series: [SVGPlot.Series], _ legend: SVGPlot.Legend
  )
    -> String
  {
    var plot = SVGPlot(title: title, xLabel: "epoch", yLabel: quantity)
    // Narrower beside an outside legend, so two panels keep the size of one chart each.
    if legend.corner == .outside { plot.width = 470 }
    return plot.lines(
      series, xRange: Self.epochRange(series), yRange: Self.valueRange(series), legend: legend)
  }

  /// 0 to the last epoch rounded up to a multiple of 5: whole-epoch ticks.
  static func epochRange(_ series: [SVGPlot.Series]) -> ClosedRange<Double> {
    let last = series.flatMap(\.x).filter(\.isFinite).max() ?? 1
    return 0...max(5, (last / 5).rounded(.up) * 5)
  }

  /// Round ticks around the values, inside 0…1 for rates and accuracies, above 0 for losses.
  static func valueRange(_ series: [SVGPlot.Series]) -> ClosedRange<Double>? {
    let values = series.flatMap(\.y).filter(\.isFinite)
    let bounds: ClosedRange<Double> =
      values.allSatisfy { (0...1).contains($0) } ? 0...1 : 0...Double.greatestFiniteMagnitude
    return AxisRange.nice(values, bounds: values.allSatisfy { $0 >= 0 } ? bounds : nil)
  }

  /// "val_accuracy" → "validation accuracy"; "val_distance_px" → "validation distance [px]".
  static func quantity(_ key: String) -> String {
    var words = key.split(separator: "_").map(String.init)
    var unit = ""
    if let last = words.last, ["px", "s", "mm"].contains(last), words.count > 1 {
      unit = " [\(last)]"
      words.removeLast()
    }
    if words.first == "val" { words[0] = "validation" }
    if words.first == "train" { words[0] = "training" }
    return words.joined(separator: " ") + unit
  }

  /// A `training-log.json`: a list of per-epoch objects with `epoch` and numbers.
  func trainingLog(_ path: String) -> TrainingLog? {
    guard let text = try? FileIO.readText(root + "/" + path),
      let entries = (try? ValueParser.parse(text, file: path))?.listValue, !entries.isEmpty
    else { return nil }
    var log: TrainingLog = []
    for entry in entries {
      guard case .map(let fields) = entry, let epoch = entry["epoch"]?.doubleValue else { continue }
      for (key, value) in fields where key != "epoch" {
        guard let number = value.doubleValue else { continue }
        if let index = log.firstIndex(where: { $0.key == key }) {
          log[index].points.append((epoch, number))
        } else {
          log.append((key, [(epoch, number)]))
        }
      }
    }
    return log.isEmpty ? nil : log
  }

  /// Every SVG inside the pipeline's outputs (files, or directories holding them).
  func chartPaths() -> [String] {
    var svgs: [String] = []
    for stage in loaded.pipeline.stages {
      for output in stage.outputs {
        let path = root + "/" + output.path
        if output.path.hasSuffix(".svg") {
          svgs.append(output.path)
        } else if (try? FileIO.stat(path))?.kind == .directory {
          for name in ((try? FileIO.list(path)) ?? []).sorted() where name.hasSuffix(".svg") {
            svgs.append(output.path + "/" + name)
          }
        }
      }
    }
    return svgs
  }
}
