public import Fetch
internal import FairflowBase
public import Foundation

/// Deposits a publication bundle on a Zenodo-compatible REST API (the legacy deposit API,
/// doi-apis.md §14.2) and returns the DOI it minted:
///
///     POST {base}/api/deposit/depositions          {}            → 201, links.bucket/self/publish
///     PUT  {links.bucket}/{key}                    file bytes    → 200/201, checksum md5:…
///     PUT  {links.self}                            {"metadata"}  → 200
///     POST {links.publish}                                       → 202, doi, doi_url, links.html
///
/// Every request carries `Authorization: Bearer <token>`; the token is never part of an error,
/// a description or a result (server messages are scrubbed of it too). URLs after the first come
/// from the server's `links`, never built. An upload whose returned MD5 differs from ours fails
/// the deposit before anything is published. A publish that fails without a clear refusal
/// (transport error, 5xx) is checked with a GET of the deposition: if it says `submitted`, the
/// publish happened and its DOI is returned.
public struct ZenodoDepositor: Sendable, CustomStringConvertible, CustomReflectable {
  /// A created (unpublished) deposition: where to upload, update and publish.
  public struct Deposition: Sendable, Equatable {
    public var id: Int
    public var selfURL: URL
    public var bucketURL: URL
    public var publishURL: URL
    /// `metadata.prereserve_doi.doi`: the DOI Zenodo will most likely mint; write it into the
    /// bundle before uploading, but take the real one from ``DepositResult/doi``.
    public var reservedDOI: String?
  }

  /// One file as stored by the repository.
  public struct UploadedFile: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var md5: String
  }

  /// The published record.
  public struct DepositResult: Sendable, Equatable {
    public var depositionID: Int
    public var doi: String
    public var conceptDOI: String?
    public var doiURL: URL?
    /// The landing page (`links.html`).
    public var recordURL: URL?
    public var files: [UploadedFile]
  }

  public let client: WebClient
  public let baseURL: URL
  private let token: String

  public init(client: WebClient, baseURL: URL, token: String) {
    self.client = client
    self.baseURL = baseURL
    self.token = token
  }

  public var description: String { "ZenodoDepositor(\(baseURL.absoluteString))" }
  public var customMirror: Mirror {
    Mirror(self, children: ["baseURL": baseURL, "client": client])
  }

  /// The whole flow for the payload of a bundle written by ``PublicationBundle`` (every file
  /// under `data/`, uploaded flat, see ``uploadKeys(for:)``). Pass `deposition` when it was
  /// created earlier (to write its reserved DOI into the bundle first).
  public func deposit(
    bundle: URL, metadata: ZenodoMetadata, into deposition: Deposition? = nil
  ) async throws -> DepositResult {
    let data = bundle.appendingPathComponent(BundleLayout.payloadDirectory)
    let files = try BundleFile.files(in: data).map(\.path)
    guard !files.isEmpty else {
      throw PublishError.io(path: data.path, detail: "the bundle has no payload to deposit")
    }
    let keys = try ZenodoDepositor.uploadKeys(for: files)
    let target: Deposition
    if let deposition { target = deposition } else { target = try await createDeposition() }
    var uploaded: [UploadedFile] = []
    for (path, key) in zip(files, keys) {
      uploaded.append(try await upload(data.appendingPathComponent(path), as: key, to: target))
    }
    try await setMetadata(metadata, on: target)
    var result = try await publish(target)
    result.files = uploaded
    return result
  }

  /// Bucket keys for payload paths: the file name when it is unique in the payload, otherwise
  /// the path with `/` replaced by `__` (a bucket key is one path segment, §14.2 step 2).
  public static func uploadKeys(for paths: [String]) throws(PublishError) -> [String] {
    let names = paths.map { String($0.split(separator: "/").last ?? Substring($0)) }
    var counts: [String: Int] = [:]
    for name in names { counts[name, default: 0] += 1 }
    let keys = zip(paths, names).map { path, name in
      counts[name] == 1 ? name : path.replacingOccurrences(of: "/", with: "__")
    }
    var seen: Set<String> = []
    for key in keys where !seen.insert(key).inserted { throw .duplicatePath(key) }
    return keys
  }

  /// Step 1: `POST /api/deposit/depositions` with `{}`.
  public func createDeposition() async throws -> Deposition {
    let url = baseURL.appendingPathComponent("api/deposit/depositions")
    let json = try await call(
      "create deposition", "POST", url, body: Array("{}".utf8), contentType: "application/json")
    guard let id = json["id"] as? Int else {
      throw PublishError.malformedResponse(step: "create deposition", detail: "no numeric id")
    }
    let links = json["links"] as? [String: Any] ?? [:]
    func link(_ name: String) throws -> URL {
      guard let text = links[name] as? String, let url = URL(string: text) else {
        throw PublishError.malformedResponse(step: "create deposition", detail: "no links.\(name)")
      }
      return url
    }
    let reserved =
      ((json["metadata"] as? [String: Any])?["prereserve_doi"] as? [String: Any])?["doi"]
      as? String
    return Deposition(
      id: id, selfURL: try link("self"), bucketURL: try link("bucket"),
      publishURL: try link("publish"), reservedDOI: reserved)
  }

  /// Step 2: `PUT {bucket}/{key}` with the file's bytes; checks the MD5 the server reports.
  public func upload(_ file: URL, as key: String, to deposition: Deposition) async throws
    -> UploadedFile
  {
    let bytes: [UInt8]
    do {
      bytes = Array(try Data(contentsOf: file))
    } catch {
      throw PublishError.io(path: file.path, detail: error.localizedDescription)
    }
    let local = FileHashes.of(bytes: bytes)
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "/?#;")
    let encoded = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
    guard let url = URL(string: deposition.bucketURL.absoluteString + "/" + encoded) else {
      throw PublishError.unsafePath(key)
    }
    let step = "upload \(key)"
    let json = try await call(
      step, "PUT", url, body: bytes, contentType: "application/octet-stream")
    if let checksum = json["checksum"] as? String {
      let remote = checksum.hasPrefix("md5:") ? String(checksum.dropFirst(4)) : checksum
      guard remote.lowercased() == local.md5 else {
        throw PublishError.uploadChecksumMismatch(
          file: key, expected: local.md5, actual: remote.lowercased())
      }
    }
    return UploadedFile(key: key, size: local.size, md5: local.md5)
  }

  /// Step 3: `PUT {links.self}` with `{"metadata": {...}}`.
  public func setMetadata(_ metadata: ZenodoMetadata, on deposition: Deposition) async throws {
    _ = try await call(
      "set metadata", "PUT", deposition.selfURL, body: Array(metadata.document.canonicalText.utf8),
      contentType: "application/json")
  }

  /// Step 4: `POST {links.publish}`; reads the minted DOI.
  public func publish(_ deposition: Deposition) async throws -> DepositResult {
    let json: [String: Any]
    do {
      json = try await call("publish", "POST", deposition.publishURL, body: nil, contentType: nil)
    } catch let error as PublishError {
      // Only a failure that may hide a success is checked; a 4xx refusal stands.
      if case .server(_, let status, _) = error, status < 500 { throw error }
      let state = try await call(
        "check publish", "GET", deposition.selfURL, body: nil, contentType: nil)
      guard state["submitted"] as? Bool == true else { throw error }
      json = state
    }
    return try result(json, deposition: deposition)
  }

  private func result(_ json: [String: Any], deposition: Deposition) throws -> DepositResult {
    let metadata = json["metadata"] as? [String: Any]
    guard let doi = (json["doi"] as? String) ?? (metadata?["doi"] as? String), !doi.isEmpty else {
      throw PublishError.malformedResponse(step: "publish", detail: "no doi in the answer")
    }
    let links = json["links"] as? [String: Any] ?? [:]
    return DepositResult(
      depositionID: (json["record_id"] as? Int) ?? (json["id"] as? Int) ?? deposition.id,
      doi: doi, conceptDOI: json["conceptdoi"] as? String,
      doiURL: (json["doi_url"] as? String).flatMap(URL.init(string:)),
      recordURL: (links["html"] as? String).flatMap(URL.init(string:)), files: [])
  }

  /// Sends one authorised request; a non-2xx answer throws with the server's message.
  private func call(
    _ step: String, _ method: String, _ url: URL, body: [UInt8]?, contentType: String?
  ) async throws -> [String: Any] {
    var headers: [(name: String, value: String)] = [
      ("Authorization", "Bearer " + token), ("Accept", "application/json"),
    ]
    if let contentType { headers.append(("Content-Type", contentType)) }
    let request = HTTPRequest(
      method: method, url: url, headers: headers, body: body, timeout: client.policy.timeout)
    let bytes: [UInt8]
    let status: Int
    do {
      let (_, response) = try await client.send(request)
      status = response.head.status
      bytes = try await response.collect(limit: 16 << 20)
    } catch let error as PublishError {
      throw error
    } catch {
      throw PublishError.transport(step: step, detail: scrub("\(error)"))
    }
    let json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    guard (200..<300).contains(status) else {
      throw PublishError.server(step: step, status: status, message: scrub(message(json, bytes)))
    }
    return json ?? [:]
  }

  /// `message` plus each `errors[]` entry (`field: message`, or InvenioRDM's `messages` list).
  private func message(_ json: [String: Any]?, _ bytes: [UInt8]) -> String {
    guard let json else { return String(decoding: bytes.prefix(200), as: UTF8.self) }
    var parts: [String] = []
    if let message = json["message"] as? String { parts.append(message) }
    for entry in json["errors"] as? [[String: Any]] ?? [] {
      let texts =
        (entry["message"] as? String).map { [$0] } ?? (entry["messages"] as? [String] ?? [])
      let field = entry["field"] as? String
      let prefix = field.map { "\($0): " } ?? ""
      parts += texts.map { prefix + $0 }
    }
    return parts.joined(separator: "; ")
  }

  private func scrub(_ text: String) -> String {
    token.isEmpty ? text : text.replacingOccurrences(of: token, with: "<token>")
  }
}
