// Times ROC/AUC on N scores read from a file of float64 scores and int64 labels (written by
// Benchmarks/metrics), and prints one JSON line with the seconds and the AUC.
import Foundation
import Metrics

let arguments = CommandLine.arguments
let scores = try Data(contentsOf: URL(fileURLWithPath: arguments[1])).withUnsafeBytes {
  Array($0.bindMemory(to: Double.self))
}
let labels = try Data(contentsOf: URL(fileURLWithPath: arguments[2])).withUnsafeBytes {
  $0.bindMemory(to: Int64.self).map { Int($0) }
}
let start = Date()
let auc = try ROC(scores: scores, labels: labels).auc
print("{\"seconds\": \(Date().timeIntervalSince(start)), \"auc\": \(auc)}")
