internal import FairflowBase
internal import FairflowProvenance
internal import FairflowStore
internal import Fetch
internal import Foundation
internal import Publish

/// Step 1 of ``BundleReproduction``: the payload, verified file by file against the RO-Crate.
extension BundleReproduction {
  /// The payload directory and the bundle's DOI (the RO-Crate's, else the record's).
  static func acquire(_ source: Source, scratch: String, environment: [String: String])
    async throws -> (String, String?)
  {
    switch source {
    case .bundle(let directory):
      do {
        _ = try BagValidator().validate(URL(fileURLWithPath: directory))
      } catch let error as FetchError {
        throw ReproductionRefusal("\(directory) is not a valid bag: \(error.message)")
      }
      let payload = directory + "/" + BundleLayout.payloadDirectory
      return (payload, try verifiedPayload(payload, source: source).doi)
    case .doi(let identifier), .url(let identifier):
      let (files, doi) = try await download(identifier, into: scratch, environment: environment)
      let payload = scratch + "/bundle/" + BundleLayout.payloadDirectory
      return (payload, try rebuild(from: files, into: payload, source: source).doi ?? doi)
    }
  }

  /// Fetches every file of the record into `download/files` (the code path of `uses: fetch`:
  /// resolvers, listing, downloads verified against the repository's checksums).
  static func download(
    _ identifier: String, into scratch: String, environment: [String: String]
  ) async throws -> (String, String?) {
    let workspace = scratch + "/download"
    let files = workspace + "/files"
    do {
      try FileIO.makeDirectories(workspace)
      let session = FetchSession(
        workspace: workspace, client: WebClient(transport: NetworkTransport.shared),
        endpoints: try FetchConfiguration.endpoints(environment))
      let outcome = try await session.run(
        FetchSession.Request(identifier: identifier, output: files))
      return (files, outcome.record.doi)
    } catch let error as FetchError {
      throw ReproductionRefusal(
        "cannot download \(identifier): \(error.message)", hint: error.hint)
    }
  }

  /// Puts each file the RO-Crate lists at its payload path (from its upload key), then verifies
  /// them all.
  static func rebuild(from files: String, into payload: String, source: Source) throws
    -> PublishedPayload
  {
    let crate = files + "/" + BundleLayout.roCrate
    guard FileIO.exists(crate) else {
      throw ReproductionRefusal(
        "\(source.text) has no \(BundleLayout.roCrate): not a fairflow publication bundle")
    }
    let listing: PublishedPayload
    let keys: [String: String]
    do {
      listing = try PublishedPayload(roCrate: try FileIO.read(crate))
      keys = try listing.pathsByUploadKey()
    } catch let error as PublishError {
      throw ReproductionRefusal("\(source.text): \(error)")
    }
    for (key, path) in keys.sorted(by: { $0.value < $1.value }) {
      let from = files + "/" + key
      guard FileIO.exists(from) else {
        throw ReproductionRefusal(
          "\(source.text): \(path) is listed in the RO-Crate but the record has no file '\(key)'")
      }
      let to = payload + "/" + path
      try FileIO.makeDirectories(FileIO.parent(of: to))
      try FileManager.default.moveItem(atPath: from, toPath: to)
    }
    return try verifiedPayload(payload, source: source)
  }

  /// Every file the RO-Crate in `payload` lists, checked for size and SHA-256.
  static func verifiedPayload(_ payload: String, source: Source) throws -> PublishedPayload {
    let crate = payload + "/" + BundleLayout.roCrate
    guard FileIO.exists(crate) else {
      throw ReproductionRefusal(
        "\(source.text) has no \(BundleLayout.payloadDirectory)/\(BundleLayout.roCrate): not a "
          + "fairflow publication bundle")
    }
    do {
      let listing = try PublishedPayload(roCrate: try FileIO.read(crate))
      try listing.verify(in: URL(fileURLWithPath: payload))
      return listing
    } catch let error as PublishError {
      throw ReproductionRefusal("\(source.text): \(error)")
    }
  }
}
