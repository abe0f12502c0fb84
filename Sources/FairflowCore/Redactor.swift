public import FairflowBase
/// Removes secrets from what fairflow writes down (lock files, provenance records): values of
/// params and environment variables whose names look secret (`SecretNames`), at any depth of a
/// nested param, and every occurrence of those values inside text such as the interpolated
/// command (`curl -H "Authorization: ${params.api_key}"` must not leak the key).
public struct Redactor: Sendable {
  /// Secret values, longest first (so a value containing another is replaced whole).
  public let secrets: [String]

  /// Values shorter than this are not searched for in free text: replacing every "1" or "abc"
  /// would mangle commands without protecting anything worth protecting.
  public static let minimumTextLength = 4

  public init(stage: Stage, extraSecrets: [String] = []) {
    var found: [String] = extraSecrets
    for (name, value) in stage.params {
      Redactor.collect(value, secret: SecretNames.isSecret(name), into: &found)
    }
    for (name, value) in stage.env where SecretNames.isSecret(name) { found.append(value) }
    secrets = Array(Set(found.filter { $0.count >= Redactor.minimumTextLength }))
      .sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
  }

  private static func collect(_ value: Value, secret: Bool, into found: inout [String]) {
    switch value {
    case .string(let s) where secret: found.append(s)
    case .int, .double, .bool:
      if secret { found.append(value.interpolationText) }
    case .list(let items): for item in items { collect(item, secret: secret, into: &found) }
    case .map(let pairs):
      for (key, item) in pairs {
        collect(item, secret: secret || SecretNames.isSecret(key), into: &found)
      }
    default: break
    }
  }

  /// A param value with secret-named entries (at any depth) replaced by `<redacted>`.
  public static func value(_ value: Value, name: String) -> Value {
    if SecretNames.isSecret(name) { return .string(SecretNames.redacted) }
    switch value {
    case .map(let pairs):
      return .map(pairs.map { (key: $0.key, value: Redactor.value($0.value, name: $0.key)) })
    case .list(let items): return .list(items.map { Redactor.value($0, name: "") })
    default: return value
    }
  }

  public static func params(_ params: [(name: String, value: Value)]) -> [(
    name: String, value: Value
  )] {
    params.map { (name: $0.name, value: Redactor.value($0.value, name: $0.name)) }
  }

  public static func env(_ env: [(name: String, value: String)]) -> [(name: String, value: String)]
  {
    env.map {
      (name: $0.name, value: SecretNames.isSecret($0.name) ? SecretNames.redacted : $0.value)
    }
  }

  /// `text` with every secret value replaced by `<redacted>`.
  public func text(_ text: String) -> String {
    var out = text
    for secret in secrets where out.contains(secret) {
      out = out.replacing(secret, with: SecretNames.redacted)
    }
    return out
  }
}

extension Stage {
  /// The command as lock files and provenance record it: `displayCommand` with secrets redacted.
  public var recordedCommand: String {
    let redactor = Redactor(stage: self)
    return redactor.secrets.isEmpty ? displayCommand : redactor.text(displayCommand)
  }
}
