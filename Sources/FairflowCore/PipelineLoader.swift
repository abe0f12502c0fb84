internal import FairflowBase
internal import Yams

/// Reads a pipeline file (YAML) into a `PipelineSpec`, validating every key and type.
///
/// Every error names `file:line:column`, what was expected, and for unknown keys the nearest
/// valid key (see `Suggestion`). Unknown keys are errors, duplicate keys are errors, and the
/// number of YAML nodes visited is bounded so alias "bombs" fail fast instead of exhausting memory.
public enum PipelineLoader {
  static let topLevelKeys = [
    "pipeline", "description", "params", "env", "slurm", "stages",
  ]
  static let stageKeys = [
    "cmd", "uses", "with", "deps", "outs", "metrics", "params", "env", "resources", "always_run",
    "matrix", "desc", "executor", "deterministic", "tolerance",
  ]
  static let outputKeys = ["path", "cache", "persist"]
  static let resourceKeys = ["cpus", "memory", "mem", "gpus", "time"]
  static let slurmKeys = ["partition", "account", "qos", "time", "options"]
  /// Upper bound on YAML nodes walked (aliases count each time they are reached).
  static let maxNodes = 2_000_000

  /// Decodes a pipeline file's bytes, refusing what YAML cannot hold instead of letting it turn
  /// into replacement characters or a silently truncated document: invalid UTF-8 and NUL bytes
  /// are reported at their line and column. A UTF-8 byte-order mark is dropped.
  public static func decode(_ bytes: [UInt8], file: String) throws(PipelineError) -> String {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    if !body.contains(0), let text = String(validating: body, as: UTF8.self) { return text }
    // Slow path, only to say where the problem is.
    var line = 1, column = 1, index = body.startIndex
    func fail(_ problem: String, hint: String) -> PipelineError {
      PipelineError(problem, at: SourceLocation(file: file, line: line, column: column), hint: hint)
    }
    while index < body.endIndex {
      let byte = body[index]
      let length: Int
      switch byte {
      case 0:
        throw fail("NUL byte in the pipeline file", hint: "pipeline files are UTF-8 text")
      case 0x0A:
        line += 1
        column = 1
        index += 1
        continue
      case 0x01...0x7F: length = 1
      case 0xC2...0xDF: length = 2
      case 0xE0...0xEF: length = 3
      case 0xF0...0xF4: length = 4
      default: length = 0
      }
      let end = index + max(length, 1)
      if length == 0 || end > body.endIndex
        || String(validating: body[index..<end], as: UTF8.self) == nil
      {
        throw fail(
          "invalid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)))",
          hint: "save the file as UTF-8")
      }
      column += 1
      index = end
    }
    return String(decoding: body, as: UTF8.self)
  }

  /// Parses `text`, reporting locations against `file` (the path as the user should see it).
  public static func load(text: String, file: String) throws(PipelineError) -> PipelineSpec {
    var reader = NodeReader(file: file, lines: NodeReader.lines(of: text))
    do {
      try AliasExpansionGuard.check(text, limit: maxNodes)
    } catch {
      switch error {
      case .tooLarge:
        throw reader.error(
          "the YAML document is too large after expanding aliases (more than \(maxNodes) nodes)",
          at: nil, hint: "remove recursive or repeated anchors (&name / *name)")
      case .largeKey(let name, let count):
        throw reader.error(
          "the alias '*\(name)' is used as a mapping key and expands to \(count) nodes",
          at: nil, hint: "mapping keys must be small; use a plain name")
      case .unparsable(let yamlError, let copy, let shifts):
        let fromCopy = NodeReader(file: file, lines: NodeReader.lines(of: copy))
          .yamlError(yamlError)
        guard let location = fromCopy.location else { throw fromCopy }
        let column = AliasExpansionGuard.originalColumn(
          location.column, line: location.line, shifts: shifts)
        throw reader.error(
          fromCopy.problem,
          at: SourceLocation(file: file, line: location.line, column: max(1, column)),
          hint: fromCopy.hint)
      }
    }
    let root: Node
    do {
      guard let composed = try Yams.compose(yaml: text) else {
        throw reader.error(
          "the pipeline file is empty", at: nil,
          hint: "a pipeline needs a 'stages:' mapping")
      }
      root = composed
    } catch let error as PipelineError {
      throw error
    } catch {
      throw reader.yamlError(error)
    }
    return try reader.pipeline(root)
  }
}
