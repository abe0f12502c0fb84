internal import FairflowBase
internal import FairflowCore
internal import Publish
internal import Foundation

/// The publication's fields read from the workspace's files and the environment: the model
/// card's tensors from model.json, the metrics from a metrics JSON, the publication date.
enum PublicationFields {
  /// `inputs`/`outputs` of model.json (`name`, `dtype`, `shape` with "batch") → model card rows.
  static func tensors(_ value: Value?) -> [TensorSpec] {
    (value?.listValue ?? []).compactMap { item in
      guard let name = item["name"]?.stringValue else { return nil }
      let shape = (item["shape"]?.listValue ?? []).map { dim in
        dim.intValue.map(String.init) ?? dim.stringValue ?? "?"
      }
      return TensorSpec(
        name: name, type: item["dtype"]?.stringValue ?? "float32", shape: shape,
        description: item["layout"]?.stringValue)
    }
  }

  /// Numeric entries of a metrics JSON object (nested objects flattened with `.`); a sibling
  /// `<name>_uncertainty`, `<name>_std` or `<name>_err` becomes that metric's uncertainty.
  static func metrics(_ text: String, file: String) throws -> [Metric] {
    var numbers: [(String, Double)] = []
    func walk(_ value: Value, _ prefix: String) {
      switch value {
      case .map(let pairs):
        for (key, v) in pairs { walk(v, prefix.isEmpty ? key : prefix + "." + key) }
      case .int(let i): numbers.append((prefix, Double(i)))
      case .double(let d): numbers.append((prefix, d))
      default: break
      }
    }
    walk(try ValueParser.parse(text, file: file), "")
    let byName = Dictionary(numbers, uniquingKeysWith: { a, _ in a })
    let suffixes = ["_uncertainty", "_std", "_err"]
    return numbers.compactMap { name, value in
      if suffixes.contains(where: {
        name.hasSuffix($0) && byName[String(name.dropLast($0.count))] != nil
      }) {
        return nil
      }
      let uncertainty = suffixes.lazy.compactMap { byName[name + $0] }.first
      return Metric(name: name, value: value, uncertainty: uncertainty)
    }
  }

  /// `date: YYYY-MM-DD`, else `SOURCE_DATE_EPOCH`, else now (the only input that is not content).
  static func date(_ text: String?, environment: [String: String]) throws -> Date {
    if let text {
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "UTC")
      formatter.dateFormat = "yyyy-MM-dd"
      guard let date = formatter.date(from: text) else {
        throw PublishError.invalidSpec(field: "date", detail: "expected YYYY-MM-DD, got \(text)")
      }
      return date
    }
    if let epoch = environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) {
      return Date(timeIntervalSince1970: epoch)
    }
    return Date()
  }
}
