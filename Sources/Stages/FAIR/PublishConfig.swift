public import FairflowBase
public import FairflowCore
public import StageSupport
internal import Fetch
internal import Publish
internal import Foundation

/// The `with:` of a `publish` stage (see `PublishStage` for an example): the model and its
/// metrics, where the bundle goes, the publication's metadata, and optionally where to deposit it.
public struct PublishConfig: Sendable, Equatable {
  /// A Zenodo-compatible deposit: the API's base URL and the environment variable holding the
  /// token (never the token itself).
  public struct Deposit: Sendable, Equatable {
    public var url: String
    public var tokenEnv: String
  }

  /// The model directory (model.json, weights, model.onnx).
  public var model: String
  /// The bundle's directory.
  public var output: String
  public var title: String
  public var description: String?
  /// An SPDX licence id fairflow knows.
  public var license: String?
  /// Given as a string or a number (written as a string).
  public var version: String?
  public var publisher: String?
  /// The code repository's URL.
  public var code: String?
  public var task: String?
  public var intendedUse: String?
  public var limitations: String?
  /// A DataCite resourceTypeGeneral, in any case.
  public var resourceType: String?
  /// `YYYY-MM-DD` (checked when the stage runs).
  public var date: String?
  /// A metrics JSON file; `<name>_uncertainty`/`_std`/`_err` give uncertainties.
  public var metrics: String?
  /// As given: "Family, Given" strings or maps ({given, family, name, orcid, affiliation}).
  public var creators: [Value]
  public var keywords: [String]?
  /// Dataset DOIs added to those found in the model's provenance.
  public var data: [String]?
  /// Where to deposit the bundle (nil: a dry run).
  public var deposit: Deposit?

  /// The optional text options in the order they are read and normalised.
  static let textKeys = [
    "description", "license", "version", "publisher", "code", "task", "intended_use",
    "limitations", "resource_type", "date", "metrics",
  ]

  /// The text options that are set, in `textKeys` order.
  var texts: [(key: String, text: String)] {
    let all: [String?] = [
      description, license, version, publisher, code, task, intendedUse, limitations,
      resourceType, date, metrics,
    ]
    return zip(Self.textKeys, all).compactMap { key, text in text.map { (key, $0) } }
  }

  /// The creators as the publication's authors: "Family, Given" splits at the comma.
  var authors: [Creator] {
    creators.map { item in
      if let text = item.stringValue {
        let parts = text.split(separator: ",", maxSplits: 1).map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        return parts.count == 2
          ? Creator(givenName: parts[1], familyName: parts[0]) : Creator(name: text)
      }
      if let family = item["family"]?.stringValue {
        return Creator(
          givenName: item["given"]?.stringValue, familyName: family,
          orcid: item["orcid"]?.stringValue, affiliation: item["affiliation"]?.stringValue)
      }
      return Creator(
        name: item["name"]?.stringValue ?? "", orcid: item["orcid"]?.stringValue,
        affiliation: item["affiliation"]?.stringValue)
    }
  }
}

extension PublishConfig: StageConfiguration, FieldsConfiguration {
  public static let keys =
    ["model", "output", "title"] + textKeys + ["creators", "keywords", "data", "deposit"]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "publish", error: error, Self.init(fields:))
  }

  public init(fields options: ConfigFields) throws(PipelineError) {
    let error = ConfigFields.unlocated
    model = try options.string("model")
    output = try options.string("output")
    title = try options.string("title")
    var texts: [String: String] = [:]
    for key in Self.textKeys {
      texts[key] = try Self.text(options.value(key), key, error: error)
    }
    (description, license, version) = (texts["description"], texts["license"], texts["version"])
    (publisher, code, task) = (texts["publisher"], texts["code"], texts["task"])
    (intendedUse, limitations) = (texts["intended_use"], texts["limitations"])
    (resourceType, date, metrics) = (texts["resource_type"], texts["date"], texts["metrics"])
    try Self.checkVocabulary(license: license, resourceType: resourceType, error: error)
    creators = try Self.creators(options.value("creators"), error: error)
    keywords = try Self.strings(options.value("keywords"), "keywords", error: error)
    data = try Self.strings(options.value("data"), "data", error: error)
    for doi in data ?? [] where DOI(doi) == nil {
      throw error("'\(doi)' in 'data' is not a DOI", nil)
    }
    if let given = options.value("deposit") {
      deposit = try Self.deposit(given, error: error)
    } else {
      deposit = nil
    }
  }

  /// A text option (absent: nil); `version` may be a number.
  static func text(
    _ value: Value?, _ key: String, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> String? {
    switch value {
    case nil: return nil
    case .string(let s)?: return s
    case .int(let i)? where key == "version": return String(i)
    case .double(let d)? where key == "version": return String(d)
    default: throw error("'\(key)' must be a string", nil)
    }
  }

  /// The licence and resource type must be ones the metadata writers know.
  static func checkVocabulary(
    license: String?, resourceType: String?, error: (String, String?) -> PipelineError
  ) throws(PipelineError) {
    if let license, License(spdx: license) == nil {
      throw error(
        "'\(license)' is not an SPDX licence id fairflow knows",
        "for example cc-by-4.0, cc0-1.0, mit, apache-2.0, bsd-3-clause")
    }
    if let type = resourceType,
      ResourceType.allCases.first(where: { $0.rawValue.lowercased() == type.lowercased() }) == nil
    {
      throw error(
        "unknown resource_type '\(type)'",
        ResourceType.allCases.map(\.rawValue).joined(separator: ", "))
    }
  }

  /// At least one creator, each a non-empty string or a map with `name` or `family`.
  static func creators(
    _ value: Value?, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> [Value] {
    guard case .list(let creators)? = value, !creators.isEmpty else {
      throw error("'creators' must list at least one author", nil)
    }
    for creator in creators {
      switch creator {
      case .string(let s) where !s.isEmpty: continue
      case .map:
        guard creator["name"]?.stringValue != nil || creator["family"]?.stringValue != nil else {
          throw error("each creator map needs 'name' or 'family'", nil)
        }
      default: throw error("a creator is \"Family, Given\" or {given, family, orcid, …}", nil)
      }
    }
    return creators
  }

  /// A list of strings (absent: nil).
  static func strings(
    _ value: Value?, _ key: String, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> [String]? {
    guard let value else { return nil }
    guard case .list(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
      throw error("'\(key)' must be a list of strings", nil)
    }
    return items.compactMap(\.stringValue)
  }

  /// The shape `deposit` must have, as its error says.
  static let depositShape = "'deposit' needs {url: https://…, token_env: NAME}"

  /// `deposit: {url, token_env}` with an http(s) URL.
  static func deposit(
    _ value: Value, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> Deposit {
    guard case .map = value, let url = value["url"]?.stringValue,
      let tokenEnv = value["token_env"]?.stringValue
    else { throw error(depositShape, nil) }
    guard let parsed = URL(string: url), parsed.scheme == "https" || parsed.scheme == "http" else {
      throw error("deposit url '\(url)' is not an http(s) URL", nil)
    }
    return Deposit(url: url, tokenEnv: tokenEnv)
  }

  /// The normalised configuration (what enters the fingerprint).
  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("model", .string(model)), ("output", .string(output)), ("title", .string(title)),
    ]
    fields += texts.map { ($0.key, .string($0.text)) }
    fields.append(("creators", .list(creators)))
    if let keywords { fields.append(("keywords", .list(keywords.map(Value.string)))) }
    if let data { fields.append(("data", .list(data.map(Value.string)))) }
    if let deposit {
      fields.append(
        (
          "deposit",
          .map([("url", .string(deposit.url)), ("token_env", .string(deposit.tokenEnv))])
        ))
    }
    return .map(fields)
  }
}
