internal import FairflowBase
internal import Metrics
internal import Plots

extension ROC {
  /// The ROC curve as an SVG chart, its AUC (four decimals) in the legend.
  var svg: String {
    SVGPlot(title: "ROC curve", xLabel: "false positive rate", yLabel: "true positive rate")
      .lines(
        [
          .init(
            name: "AUC \((auc * 10000).rounded() / 10000)", x: falsePositiveRate,
            y: truePositiveRate)
        ],
        diagonal: true, xRange: 0...1, yRange: 0...1)
  }

  /// `roc.json` beside `roc.svg`: the exact AUC and the curve's points for charts that overlay
  /// several curves (`fairflow report`), thinned so that consecutive points differ by at least
  /// `step` in one of the rates. Both rates only rise, so at most 2/`step` points remain
  /// (2,000 at the default) however many test rows there are; the first and last point stay.
  func curveJSON(step: Double = 0.001) -> String {
    var fpr: [Value] = []
    var tpr: [Value] = []
    var last = (x: -1.0, y: -1.0)
    for i in falsePositiveRate.indices {
      let (x, y) = (falsePositiveRate[i], truePositiveRate[i])
      let isEnd = i == 0 || i == falsePositiveRate.count - 1
      guard isEnd || x - last.x >= step || y - last.y >= step else { continue }
      fpr.append(.double(x))
      tpr.append(.double(y))
      last = (x, y)
    }
    return Value.map([
      ("auc", .double(auc)), ("false_positive_rate", .list(fpr)),
      ("true_positive_rate", .list(tpr)),
    ]).prettyJSON
  }
}
