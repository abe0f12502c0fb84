public import FairflowBase
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

  /// Builds the encoding straight into one preallocated byte buffer: this runs once per stage on
  /// every no-op, so nothing here builds an intermediate String or array in the common case.
  static func bytes(of stage: Stage, dependencyDigests: [String: Digest]) -> [UInt8] {
    var out = EncodingBuffer()
    out.text(header)
    switch stage.action {
    case .command(let cmd):
      out.text("command ")
      out.field(cmd)
    case .builtin(let kind, let version, let config):
      out.text("builtin ")
      out.field(kind)
      out.byte(UInt8(ascii: " "))
      out.decimal(version)
      out.byte(UInt8(ascii: " "))
      out.field(config.canonicalText)
    }
    out.byte(10)
    for param in stage.params {
      out.text("param ")
      out.field(param.name)
      out.byte(UInt8(ascii: " "))
      out.field(param.value.canonicalText)
      out.byte(10)
    }
    for variable in stage.env {
      out.text("env ")
      out.field(variable.name)
      out.byte(UInt8(ascii: " "))
      out.field(variable.value)
      out.byte(10)
    }
    func dep(_ path: String) {
      out.text("dep ")
      out.field(path)
      out.byte(UInt8(ascii: " "))
      if let digest = dependencyDigests[path] {
        digest.appendHex(to: &out.bytes)
      } else {
        out.text("missing")
      }
      out.byte(10)
    }
    if stage.deps.count > 1 {
      for path in stage.deps.sorted() { dep(path) }
    } else {
      for path in stage.deps { dep(path) }
    }
    func output(_ output: Output) {
      out.text("out ")
      out.field(output.path)
      out.text(output.cache ? " cache=1" : " cache=0")
      out.text(output.persist ? " persist=1" : " persist=0")
      out.text(output.isMetric ? " metric=1\n" : " metric=0\n")
    }
    if stage.outputs.count > 1 {
      for item in stage.outputs.sorted(by: { $0.path < $1.path }) { output(item) }
    } else {
      for item in stage.outputs { output(item) }
    }
    return out.bytes
  }

  static let header = "fairflow-fingerprint \(schemaVersion) sha256\n"
}

/// The byte buffer the fingerprint encoding is written into.
private struct EncodingBuffer {
  var bytes: [UInt8] = []

  init() { bytes.reserveCapacity(512) }

  mutating func byte(_ value: UInt8) { bytes.append(value) }

  /// Appends UTF-8 straight from the string's storage (no per-scalar iteration).
  mutating func text(_ string: String) {
    if let done = string.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) {
      return done
    }
    bytes.append(contentsOf: string.utf8)
  }

  /// `<n>:<string>`, n its UTF-8 length.
  mutating func field(_ string: String) {
    decimal(string.utf8.count)
    bytes.append(UInt8(ascii: ":"))
    text(string)
  }

  /// A number in decimal, as `String(value)` writes it; field lengths are mostly short.
  mutating func decimal(_ value: Int) {
    switch value {
    case 0..<10:
      bytes.append(UInt8(truncatingIfNeeded: value) + 48)
    case 10..<100:
      bytes.append(UInt8(truncatingIfNeeded: value / 10) + 48)
      bytes.append(UInt8(truncatingIfNeeded: value % 10) + 48)
    case 100..<1000:
      bytes.append(UInt8(truncatingIfNeeded: value / 100) + 48)
      bytes.append(UInt8(truncatingIfNeeded: value / 10 % 10) + 48)
      bytes.append(UInt8(truncatingIfNeeded: value % 10) + 48)
    default:
      text(String(value))
    }
  }
}
