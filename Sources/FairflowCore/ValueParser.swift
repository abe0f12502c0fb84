internal import Yams

/// Parses small JSON/YAML documents (run-cache entries, manifests, metrics) into `Value`s.
public enum ValueParser {
  public static func parse(_ text: String, file: String) throws(PipelineError) -> Value {
    var reader = NodeReader(file: file, lines: NodeReader.lines(of: text))
    do {
      guard let node = try Yams.compose(yaml: text) else { return .null }
      return try reader.value(node)
    } catch let error as PipelineError {
      throw error
    } catch {
      throw reader.yamlError(error)
    }
  }
}

extension Value {
  /// The value of `key` in a map, else nil.
  public subscript(key: String) -> Value? {
    guard case .map(let pairs) = self else { return nil }
    return pairs.first { $0.key == key }?.value
  }

  public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
  public var intValue: Int? { if case .int(let i) = self { return i } else { return nil } }
  public var listValue: [Value]? { if case .list(let l) = self { return l } else { return nil } }
}
