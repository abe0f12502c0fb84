import FairflowTesting
import Foundation
import Testing

@testable import Fetch

/// Bags made by the independent Python `bagit` and `bdbag` packages, read and validated by ours.
@Suite struct BagTests {
  /// Runs `script` with the venv's Python (bagit, bdbag) in `directory`; nil when there is no
  /// interpreter (an issue when the peers are required, as in CI).
  static func python(_ script: String, in directory: String) throws -> String? {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python with bagit/bdbag (.venv)") }
      return nil
    }
    let output = try Shell.run([python, "-c", script], in: directory)
    guard output.status == 0 else {
      Issue.record("bag peer failed (\(output.status)):\n\(output.stderr)")
      return nil
    }
    return output.stdout
  }

  /// `bag/` with `hello.txt` and `tables/a b.csv`, made by bagit-python with sha256 and md5.
  static func makeBag(_ workspace: TemporaryWorkspace) throws -> URL? {
    try workspace.write("bag/hello.txt", "hello\n")
    try workspace.write("bag/tables/a b.csv", "a,b\n1,2\n")
    let script = """
      import bagit
      bagit.make_bag("bag", {"Source-Organization": "Example Lab", "Bagging-Date": "2024-01-02"},
                     checksums=["sha256", "md5"])
      """
    guard try python(script, in: workspace.root) != nil else { return nil }
    return URL(fileURLWithPath: workspace.path("bag"))
  }

  private func resolver() -> DatasetResolver {
    DatasetResolver.canned(CannedTransport())
  }

  @Test func readsABagitPythonBag() async throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    guard let bag = try Self.makeBag(workspace) else { return }
    for identifier in [bag.path, bag.absoluteString] {
      let record = try await resolver().resolve(identifier)
      #expect(record.repository == .bag)
      #expect(record.identifier == identifier)
      #expect(
        record.files == [
          RemoteFile(
            path: "hello.txt", url: bag.appendingPathComponent("data/hello.txt"), size: 6,
            checksums: [FixtureDigest.helloSHA256, FixtureDigest.helloMD5]),
          RemoteFile(
            path: "tables/a b.csv", url: bag.appendingPathComponent("data/tables/a b.csv"),
            size: 8, checksums: [FixtureDigest.tableSHA256, FixtureDigest.tableMD5]),
        ])
      #expect(record.metadata.publisher == "Example Lab")
      #expect(record.metadata.publicationYear == "2024")
    }
  }

  @Test func validatesABagitPythonBag() throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    guard let bag = try Self.makeBag(workspace) else { return }
    let report = try BagValidator().validate(bag)
    #expect(
      report
        == BagValidator.Report(
          version: "0.97", payloadFiles: 2, payloadBytes: 14, algorithms: [.sha256, .md5]))
  }

  /// Same size, one byte changed: only the checksums can tell, and bagit-python agrees.
  @Test func tamperedPayloadIsInvalid() throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    guard let bag = try Self.makeBag(workspace) else { return }
    try workspace.write("bag/data/hello.txt", "hellO\n")
    let error = #expect(throws: FetchError.self) { try BagValidator().validate(bag) }
    guard case .invalidBag(let detail)? = error else {
      Issue.record("expected invalidBag, got \(String(describing: error))")
      return
    }
    let digests = try Self.python(
      """
      import hashlib
      data = b"hellO\\n"
      print(hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())
      """, in: workspace.root)?.split(separator: " ").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines)
      }
    #expect(
      detail
        == "data/hello.txt: sha256 is \(digests?[0] ?? "?"), the manifest says "
        + "\(FixtureDigest.helloSHA256.hex); data/hello.txt: md5 is \(digests?[1] ?? "?"), "
        + "the manifest says \(FixtureDigest.helloMD5.hex)")
    // The independent implementation rejects it too.
    let peer = try Self.python(
      """
      import bagit
      try:
          bagit.Bag("bag").validate()
          print("valid")
      except bagit.BagValidationError:
          print("invalid")
      """, in: workspace.root)
    #expect(peer == "invalid\n")
  }

  @Test func missingAndUnexpectedPayloadFiles() async throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    guard let bag = try Self.makeBag(workspace) else { return }
    try workspace.remove("bag/data/hello.txt")
    try workspace.write("bag/data/extra.txt", "extra!\n")
    #expect(
      throws: FetchError.invalidBag(
        "data/hello.txt is missing; data/extra.txt is not in manifest-sha256.txt; "
          + "data/extra.txt is not in manifest-md5.txt")
    ) { try BagValidator().validate(bag) }
    // Resolution refuses the incomplete bag as well.
    await #expect(
      throws: FetchError.invalidBag("data/hello.txt is neither in the bag nor in fetch.txt")
    ) { try await resolver().resolve(bag.path) }
  }

  @Test func tamperedTagFileIsInvalid() throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    guard let bag = try Self.makeBag(workspace) else { return }
    let info = try workspace.read("bag/bag-info.txt")
    try workspace.write(
      "bag/bag-info.txt", info.replacingOccurrences(of: "Example", with: "Exampel"))
    let error = #expect(throws: FetchError.self) { try BagValidator().validate(bag) }
    #expect(error?.description.hasPrefix("invalid bag: bag-info.txt: sha256 is ") == true)
    #expect(error?.description.contains("bag-info.txt: md5 is ") == true)
  }

  /// bdbag's remote file manifest becomes `fetch.txt`; its entries resolve to https files with
  /// the manifest checksums and listed size, and the bag is not complete until fetched.
  @Test func bdbagFetchEntries() async throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    try workspace.write("bag/hello.txt", "hello\n")
    try workspace.write(
      "remote.json",
      """
      [{"url": "https://repo.example.org/files/a%20b.csv", "length": 8,
        "filename": "tables/a b.csv", "sha256": "\(FixtureDigest.tableSHA256.hex)"}]
      """)
    let made = try Self.python(
      """
      from bdbag import bdbag_api
      bdbag_api.make_bag("bag", algs=["sha256"], remote_file_manifest="remote.json")
      """, in: workspace.root)
    guard made != nil else { return }
    let bag = URL(fileURLWithPath: workspace.path("bag"))
    let record = try await resolver().resolve(bag.absoluteString)
    #expect(
      record.files == [
        RemoteFile(
          path: "hello.txt", url: bag.appendingPathComponent("data/hello.txt"), size: 6,
          checksums: [FixtureDigest.helloSHA256]),
        RemoteFile(
          path: "tables/a b.csv", url: URL(string: "https://repo.example.org/files/a%20b.csv")!,
          size: 8, checksums: [FixtureDigest.tableSHA256]),
      ])
    #expect(
      throws: FetchError.invalidBag("data/tables/a b.csv is in fetch.txt but not fetched yet")
    ) { try BagValidator().validate(bag) }
  }

  // MARK: Hand-made hostile bags

  private func writeBag(
    _ workspace: TemporaryWorkspace, manifest: String, fetch: String? = nil,
    bagit: String = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
  ) throws -> URL {
    try workspace.write("bag/bagit.txt", bagit)
    try workspace.write("bag/manifest-sha256.txt", manifest)
    try workspace.write("bag/data/hello.txt", "hello\n")
    if let fetch { try workspace.write("bag/fetch.txt", fetch) }
    return URL(fileURLWithPath: workspace.path("bag"))
  }

  @Test func manifestPathLeavingTheBagIsUnsafe() async throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    let bag = try writeBag(
      workspace, manifest: "\(FixtureDigest.helloSHA256.hex)  data/../../etc/passwd\n")
    await #expect(throws: FetchError.unsafePath("data/../../etc/passwd")) {
      try await resolver().resolve(bag.path)
    }
    #expect(throws: FetchError.unsafePath("data/../../etc/passwd")) {
      try BagValidator().validate(bag)
    }
  }

  @Test func fetchOfAFileURLIsRefused() async throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    let bag = try writeBag(
      workspace,
      manifest: "\(FixtureDigest.helloSHA256.hex)  data/hello.txt\n"
        + "\(FixtureDigest.tableSHA256.hex)  data/t.csv\n",
      fetch: "file:///etc/passwd\t8\tdata/t.csv\n")
    await #expect(
      throws: FetchError.invalidBag(
        "fetch.txt: only http(s) URLs can be fetched, not file:///etc/passwd")
    ) { try await resolver().resolve(bag.path) }
  }

  /// Only %0A, %0D and %25 are decoded: `%2E%2E` stays a literal (harmless) name.
  @Test func fetchPathsDecodeOnlyNewlinesAndPercent() throws {
    #expect(BagContents.decode("data/%2E%2E/x") == "data/%2E%2E/x")
    #expect(BagContents.decode("data/a%250Ab%0Ac%0d") == "data/a%0Ab\nc\r")
    let entries = try BagContents.fetchEntries(
      "https://h.example/a%20b.csv  -  data/tables/a b.csv\n")
    #expect(
      entries == [
        BagContents.FetchEntry(
          url: "https://h.example/a%20b.csv", length: nil, path: "data/tables/a b.csv")
      ])
  }

  @Test func byteOrderMarkIsRefused() async throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    let bag = try writeBag(
      workspace, manifest: "\(FixtureDigest.helloSHA256.hex)  data/hello.txt\n",
      bagit: "\u{FEFF}BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    await #expect(throws: FetchError.invalidBag("bagit.txt starts with a byte-order mark")) {
      try await resolver().resolve(bag.path)
    }
  }

  /// An upper-case manifest with `*` before the path (checksum tools) is fine.
  @Test func handMadeBagValidates() throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    let bag = try writeBag(
      workspace, manifest: "\(FixtureDigest.helloSHA256.hex.uppercased()) *data/hello.txt\r\n",
      bagit: "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
    #expect(
      try BagValidator().validate(bag)
        == BagValidator.Report(
          version: "0.97", payloadFiles: 1, payloadBytes: 6, algorithms: [.sha256]))
  }

  @Test func wrongPayloadOxumIsInvalid() throws {
    let workspace = try TemporaryWorkspace("bag")
    defer { workspace.destroy() }
    let bag = try writeBag(
      workspace, manifest: "\(FixtureDigest.helloSHA256.hex)  data/hello.txt\n")
    try workspace.write("bag/bag-info.txt", "Payload-Oxum: 7.1\nSource-Organization: Lab\n")
    #expect(throws: FetchError.invalidBag("Payload-Oxum is 7.1, the payload is 6.1")) {
      try BagValidator().validate(bag)
    }
  }
}
