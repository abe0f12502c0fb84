/// The identity of a stage's work: SHA-256 over a canonical encoding of everything that can change
/// its outputs. Equal fingerprints mean "identical work" — the run cache key.
///
/// Encoding (version 1): UTF-8 lines, each field length-prefixed so no value can forge another:
/// ```
/// fairflow-fingerprint 1 sha256
/// command <n>:<command after substitution>            | builtin <n>:<kind> <version> <n>:<config>
/// param <n>:<dotted name> <n>:<canonical value>        (used params, sorted by name)
/// env <n>:<name> <n>:<value>                           (sorted by name)
/// dep <n>:<path> <sha256 of content or manifest>       (sorted by path)
/// out <n>:<path> cache=<0|1> persist=<0|1> metric=<0|1> (sorted by path)
/// ```
/// Stage names and matrix coordinates are not included: renaming a stage or moving work between
/// matrix cells keeps identical work restorable. The header names the algorithm and schema
/// version, so changing either produces different fingerprints rather than silent mismatches.
public enum Fingerprint {
  public static let schemaVersion = 1

  /// The canonical encoding as text (for tests and explanations).
  public static func encoding(of stage: Stage, dependencyDigests: [String: Digest]) -> String {
    String(decoding: bytes(of: stage, dependencyDigests: dependencyDigests), as: UTF8.self)
  }

  public static func of(_ stage: Stage, dependencyDigests: [String: Digest]) -> Digest {
    Digest.of(bytes(of: stage, dependencyDigests: dependencyDigests))
  }

  /// Builds the encoding straight into bytes: this runs once per stage on every no-op.
  static func bytes(of stage: Stage, dependencyDigests: [String: Digest]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    func text(_ s: String) { out.append(contentsOf: s.utf8) }
    func field(_ s: String) {
      text(String(s.utf8.count))
      out.append(UInt8(ascii: ":"))
      text(s)
    }
    text("fairflow-fingerprint \(schemaVersion) sha256\n")
    switch stage.action {
    case .command(let cmd):
      text("command ")
      field(cmd)
    case .builtin(let kind, let version, let config):
      text("builtin ")
      field(kind)
      text(" \(version) ")
      field(config.canonicalText)
    }
    out.append(10)
    for param in stage.params {
      text("param ")
      field(param.name)
      text(" ")
      field(param.value.canonicalText)
      out.append(10)
    }
    for variable in stage.env {
      text("env ")
      field(variable.name)
      text(" ")
      field(variable.value)
      out.append(10)
    }
    let deps = stage.deps.count > 1 ? stage.deps.sorted() : stage.deps
    for dep in deps {
      text("dep ")
      field(dep)
      text(" ")
      text(dependencyDigests[dep]?.hex ?? "missing")
      out.append(10)
    }
    let outputs =
      stage.outputs.count > 1 ? stage.outputs.sorted { $0.path < $1.path } : stage.outputs
    for output in outputs {
      text("out ")
      field(output.path)
      text(output.cache ? " cache=1" : " cache=0")
      text(output.persist ? " persist=1" : " persist=0")
      text(output.isMetric ? " metric=1\n" : " metric=0\n")
    }
    return out
  }
}
