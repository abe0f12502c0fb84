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

  /// The canonical bytes (exposed for tests and `status --explain`).
  public static func encoding(of stage: Stage, dependencyDigests: [String: Digest]) -> String {
    var text = "fairflow-fingerprint \(schemaVersion) sha256\n"
    func field(_ s: String) -> String { "\(s.utf8.count):\(s)" }
    switch stage.action {
    case .command(let cmd): text += "command \(field(cmd))\n"
    case .builtin(let kind, let version, let config):
      text += "builtin \(field(kind)) \(version) \(field(config.canonicalText))\n"
    }
    for param in stage.params { text += "param \(field(param.name)) \(field(param.value.canonicalText))\n" }
    for variable in stage.env { text += "env \(field(variable.name)) \(field(variable.value))\n" }
    for dep in stage.deps.sorted() {
      text += "dep \(field(dep)) \(dependencyDigests[dep]?.hex ?? "missing")\n"
    }
    for out in stage.outputs.sorted(by: { $0.path < $1.path }) {
      text += "out \(field(out.path)) cache=\(out.cache ? 1 : 0) persist=\(out.persist ? 1 : 0) metric=\(out.isMetric ? 1 : 0)\n"
    }
    return text
  }

  public static func of(_ stage: Stage, dependencyDigests: [String: Digest]) -> Digest {
    Digest.of(encoding(of: stage, dependencyDigests: dependencyDigests))
  }
}
