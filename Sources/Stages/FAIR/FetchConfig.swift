public import FairflowBase
public import FairflowCore
public import StageSupport
internal import Fetch

/// The `with:` of a `fetch` stage (see `FetchStage`): one identifier (`doi`, `url`, `minid` or
/// `bag`), the globs of the files to keep, the output directory and the download limits.
///
/// Only the stage's own options: the resolver endpoints come from the environment
/// (`FetchConfiguration`), and `fairflow fetch` builds its `FetchSession.Request` from flags.
public struct FetchConfig: Sendable, Equatable {
  /// Which kind of identifier names the data.
  public enum Source: String, Sendable, CaseIterable {
    case doi, url, minid, bag
  }

  public var source: Source
  /// The identifier as written.
  public var identifier: String
  /// Globs on the repository's file paths (empty: every file).
  public var files: [String]
  /// Workspace-relative output directory.
  public var output: String
  /// Larger files are refused (nil: no cap).
  public var maxFileSize: Int?
  /// Parallel downloads, 1 to 64.
  public var jobs: Int

  /// The identifier as `FetchSession` resolves it: a bare minid gets its `minid:` scheme.
  public var resolvable: String {
    guard source == .minid, !identifier.hasPrefix("minid:"), !identifier.hasPrefix("ark:") else {
      return identifier
    }
    return "minid:" + identifier
  }

  /// The session request for this configuration.
  public func request(offline: Bool) -> FetchSession.Request {
    FetchSession.Request(
      identifier: resolvable, patterns: files, output: output, offline: offline,
      maxFileBytes: maxFileSize.map(Int64.init), jobs: jobs)
  }
}

extension FetchConfig: StageConfiguration, FieldsConfiguration {
  public static let keys = [
    "doi", "url", "minid", "bag", "files", "output", "max_file_size", "jobs",
  ]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    self = try ConfigFields.decode(given, stage: "fetch", error: error, Self.init(fields:))
  }

  public init(fields options: ConfigFields) throws(PipelineError) {
    let error = ConfigFields.unlocated
    (source, identifier) = try Self.identifier(options, error: error)
    files = try Self.globs(options.value("files"), error: error)
    output = try options.string("output")
    guard !output.hasPrefix("/"), !output.split(separator: "/").contains("..") else {
      throw error("'output' must be a path inside the workspace", nil)
    }
    maxFileSize = nil
    if options.value("max_file_size") != nil {
      let cap = try options.int("max_file_size")
      guard cap > 0 else { throw error("'max_file_size' must be a positive byte count", nil) }
      maxFileSize = cap
    }
    jobs = try options.int("jobs", default: 4)
    guard (1...64).contains(jobs) else { throw error("'jobs' must be between 1 and 64", nil) }
  }

  /// The one identifier given: a non-empty string (a DOI for `doi`).
  static func identifier(
    _ options: ConfigFields, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> (Source, String) {
    var given: [(Source, String)] = []
    for source in Source.allCases {
      guard let value = options.value(source.rawValue) else { continue }
      guard case .string(let text) = value, !text.isEmpty else {
        throw error("'\(source.rawValue)' must be a non-empty string", nil)
      }
      if source == .doi, DOI(text) == nil {
        throw error("'\(text)' is not a DOI", "write it as 10.5281/zenodo.1234567")
      }
      given.append((source, text))
    }
    guard given.count == 1 else {
      throw error(
        given.isEmpty
          ? "fetch needs one of 'doi', 'url', 'minid' or 'bag'"
          : "fetch takes one of 'doi', 'url', 'minid' or 'bag', not "
            + given.map(\.0.rawValue).joined(separator: " and "), nil)
    }
    return given[0]
  }

  /// `files`: one glob or a list of globs (absent: every file).
  static func globs(
    _ value: Value?, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> [String] {
    switch value {
    case nil: return []
    case .string(let one)?: return [one]
    case .list(let items)?:
      var patterns: [String] = []
      for item in items {
        guard case .string(let p) = item else {
          throw error("'files' must be a glob or a list of globs", nil)
        }
        patterns.append(p)
      }
      return patterns
    case .some: throw error("'files' must be a glob or a list of globs", nil)
    }
  }

  /// The normalised configuration (what enters the fingerprint).
  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      (source.rawValue, .string(identifier)), ("files", .list(files.map(Value.string))),
      ("output", .string(output)),
    ]
    if let maxFileSize { fields.append(("max_file_size", .int(maxFileSize))) }
    fields.append(("jobs", .int(jobs)))
    return .map(fields)
  }
}
