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
}
