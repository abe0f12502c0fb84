public import Fetch
internal import FairflowBase
internal import FairflowCore
internal import FairflowStore
internal import Foundation
internal import Glibc

/// One fetch of a DOI (URL, minid, bag) into a workspace directory, shared by `uses: fetch` and
/// `fairflow fetch`.
///
/// 1. **Listing.** The resolved, selected file list (URLs, sizes, repository checksums) and, after
///    the first success, each file's SHA-256 are kept in `cache/fetch/listings/<key>.json`, keyed
///    by the identifier and the selection. With a cached listing no resolver request is made;
///    `offline` makes that mandatory.
/// 2. **Files.** A file whose SHA-256 is already an object of the content-addressed store is
///    linked from there (no network). The others are downloaded into
///    `cache/fetch/partial/<key>/` — kept across tries so an interrupted download resumes with
///    HTTP Range — and verified against every checksum the repository gave.
/// 3. **Promotion.** Only when every file is verified are they renamed into the output directory;
///    a failure leaves the output untouched and nothing unverified anywhere but the partial area.
public struct FetchSession: Sendable {
  public struct Request: Sendable, Equatable {
    public var identifier: String
    public var patterns: [String]
    /// Workspace-relative output directory.
    public var output: String
    public var offline: Bool
    public var maxFileBytes: Int64?
    public var jobs: Int

    public init(
      identifier: String, patterns: [String] = [], output: String, offline: Bool = false,
      maxFileBytes: Int64? = nil, jobs: Int = 4
    ) {
      self.identifier = identifier
      self.patterns = patterns
      self.output = output
      self.offline = offline
      self.maxFileBytes = maxFileBytes
      self.jobs = jobs
    }

    /// Names the listing cache entry: identifier and selection (not the output location).
    public var key: String {
      Digest.of(
        "fairflow-fetch/1\n" + identifier.trimmingCharacters(in: .whitespaces) + "\n"
          + patterns.joined(separator: "\n")
      ).hex
    }
  }

  /// A file as fetched: where it is now and what it hashed to.
  public struct File: Sendable, Equatable, Codable {
    public var path: String
    public var url: String
    public var size: Int64
    public var sha256: String
    /// The repository's strongest checksum, as `algorithm:hex` (nil when it gave none).
    public var checksum: String?
  }

  public struct Outcome: Sendable {
    public var record: ResolvedRecord
    public var files: [File]
    /// Files that came over the network in this call / from the object store.
    public var downloaded: Int
    public var reused: Int
    /// Whether the listing came from the cache (no resolver request).
    public var listingCached: Bool
    /// When the files were (first) retrieved, RFC 3339.
    public var retrieved: String
  }

  /// What `cache/fetch/listings/<key>.json` holds.
  struct Listing: Codable {
    var format = "fairflow.fetch-listing/1"
    var identifier: String
    var patterns: [String]
    var record: ResolvedRecord
    var files: [File]
    var retrieved: String
  }

  public var workspace: String
  public var client: WebClient
  public var endpoints: ResolverEndpoints

  public init(workspace: String, client: WebClient, endpoints: ResolverEndpoints) {
    self.workspace = workspace
    self.client = client
    self.endpoints = endpoints
  }

  var listingDirectory: String { CacheLayout(workspace: workspace).fetchListings }
  func partialDirectory(_ key: String) -> String {
    workspace + "/" + CacheLayout.fetchPartial(key)
  }

  public func run(
    _ request: Request, progress: (@Sendable (DownloadProgress) -> Void)? = nil
  ) async throws -> Outcome {
    let key = request.key
    let cached = cachedListing(key)
    let record = try await self.record(for: request, cached: cached)
    let store = ObjectStore(workspace: workspace)
    let staging = partialDirectory(key)
    try FileIO.makeDirectories(staging)
    let (reused, missing) = try linkStored(
      record, known: cached?.files ?? [], from: store, into: staging)
    if request.offline, let first = missing.first {
      throw FetchError.offline(
        "\(missing.count) file(s) of \(request.identifier) are not in the object store "
          + "(first: \(first.path))")
    }
    let downloader = Downloader(
      client: client, maxConcurrent: max(1, request.jobs), maxFileBytes: request.maxFileBytes)
    let downloaded = try await downloader.downloadAll(missing, into: staging, progress: progress)
    let files = Self.files(of: record, reused: reused, downloaded: downloaded)
    try promote(files, downloaded: downloaded, key: key, store: store, to: request.output)
    let retrieved = cached?.retrieved ?? Self.timestamp()
    try save(
      Listing(
        identifier: request.identifier, patterns: request.patterns, record: record,
        files: files, retrieved: retrieved), key: key)
    return Outcome(
      record: record, files: files, downloaded: downloaded.count, reused: reused.count,
      listingCached: cached != nil, retrieved: retrieved)
  }

  /// Step 1: the listing cached by an earlier fetch of the same identifier and selection.
  func cachedListing(_ key: String) -> Listing? {
    let file = listingDirectory + "/" + key + ".json"
    guard FileIO.exists(file) else { return nil }
    return try? JSONDecoder().decode(Listing.self, from: Data(FileIO.read(file)))
  }

  /// The selected record: the cached listing's, else resolved (never when offline).
  func record(for request: Request, cached: Listing?) async throws -> ResolvedRecord {
    if let cached { return cached.record }
    if request.offline {
      throw FetchError.offline(
        "no cached listing for \(request.identifier); fetch it once without --offline")
    }
    let resolved = try await DatasetResolver(client: client, endpoints: endpoints)
      .resolve(request.identifier)
    return request.patterns.isEmpty ? resolved : try resolved.selecting(request.patterns)
  }

  /// Step 2: links into `staging` every file whose SHA-256 (from the cached listing) is an
  /// object of the store; returns those and the files still to download.
  func linkStored(
    _ record: ResolvedRecord, known files: [File], from store: ObjectStore,
    into staging: String
  ) throws -> (reused: [String: File], missing: [RemoteFile]) {
    let known = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    var reused: [String: File] = [:]
    var missing: [RemoteFile] = []
    for file in record.files {
      let target = staging + "/" + file.path
      if let entry = known[file.path], let digest = Digest(hex: entry.sha256),
        store.contains(digest)
      {
        try FileIO.remove(target)
        try FileIO.makeDirectories(FileIO.parent(of: target))
        try store.linker.place(store.path(of: digest), at: target, executable: false)
        reused[file.path] = entry
      } else {
        missing.append(file)
      }
    }
    return (reused, missing)
  }

  /// Every file of the record, in its order, as reused or downloaded.
  static func files(
    of record: ResolvedRecord, reused: [String: File], downloaded: [DownloadedFile]
  ) -> [File] {
    var byPath: [String: File] = reused
    for d in downloaded {
      byPath[d.remote.path] = File(
        path: d.remote.path, url: d.remote.url.absoluteString, size: d.size, sha256: d.sha256,
        checksum: d.remote.checksums.max { $0.algorithm < $1.algorithm }?.description)
    }
    return record.files.compactMap { byPath[$0.path] }
  }

  /// Step 3: every file is verified: stores the new ones (so a later fetch, online or not,
  /// links them instead of downloading), then places them all into the output in one sweep.
  func promote(
    _ files: [File], downloaded: [DownloadedFile], key: String, store: ObjectStore,
    to outputPath: String
  ) throws {
    let staging = partialDirectory(key)
    let stagingRelative = CacheLayout.fetchPartial(key)
    for d in downloaded {
      _ = try store.ingest(stagingRelative + "/" + d.remote.path, statCache: nil)
    }
    let output = outputPath.hasPrefix("/") ? outputPath : workspace + "/" + outputPath
    try FileIO.makeDirectories(output)
    for file in files {
      let target = output + "/" + file.path
      try FileIO.makeDirectories(FileIO.parent(of: target))
      try FileIO.remove(target)
      try store.linker.place(staging + "/" + file.path, at: target, executable: false)
    }
    try? FileManager.default.removeItem(atPath: staging)
  }

  /// Writes the listing (with every file's SHA-256) for the next fetch.
  func save(_ listing: Listing, key: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    try FileIO.makeDirectories(listingDirectory)
    try FileIO.writeAtomically(
      Array(try encoder.encode(listing)), to: listingDirectory + "/" + key + ".json")
  }

  static func timestamp() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date())
  }
}
