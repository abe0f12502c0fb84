public import FairflowBase
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
