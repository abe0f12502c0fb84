import FairflowTesting
import Fetch
import Foundation
import MockHTTPServer
import Testing

@Suite struct DownloaderTests {
  static let blob = Fixture.blob(200_000)
  static let blobSHA256 = StreamingHasher.hash(blob, .sha256)

  func remote(_ h: TransportHarness, _ path: String, size: Int64? = nil, _ sums: [Checksum] = [])
    -> RemoteFile
  {
    RemoteFile(path: path, url: h.url("/files/\(path)"), size: size, checksums: sums)
  }

  @Test func everyChecksumAlgorithmVerifies() async throws {
    let h = try await TransportHarness.start { request in .file(Fixture.hello, for: request) }
    let sums = [
      Checksum(.md5, Fixture.helloMD5), Checksum(.sha1, "f572d396fae9206628714fb2ce00f72e94f2258f"),
      Checksum(.sha256, Fixture.helloSHA256),
      Checksum(
        .sha512,
        "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931"
          + "f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629"),
      Checksum(.adler32, "084b021f"),
    ]
    let file = remote(h, "dir/hello.txt", size: 6, sums)
    let done = try await Downloader(client: h.client).download(file, into: h.staging)
    let staged = h.stagedFiles()
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: done.localPath)))
    try await h.close()
    #expect(done.size == 6)
    #expect(done.sha256 == Fixture.helloSHA256)
    #expect(done.verified == sums)
    #expect(done.localPath.hasSuffix("/staging/dir/hello.txt"))
    #expect(bytes == Fixture.hello)
    #expect(staged == ["dir/hello.txt"])
  }

  @Test func truncatedBodyIsResumedWithRange() async throws {
    let blob = Self.blob
    let h = try await TransportHarness.start { request in
      request.header("Range") == nil
        ? .init(
          headers: [("Content-Type", "application/octet-stream")], body: blob,
          truncateAfter: 100_000)
        : .file(blob, for: request)
    }
    let file = remote(h, "big.bin", size: Int64(blob.count), [Checksum(.sha256, Self.blobSHA256)])
    let done = try await Downloader(client: h.client).download(file, into: h.staging)
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: done.localPath)))
    let staged = h.stagedFiles()
    try await h.close()
    // The client resumes from what reached the disk: at most the 100000 bytes sent (AsyncHTTPClient
    // drops what it had buffered when the connection dies), never nothing.
    let ranges = h.server.requests.map { $0.header("Range") }
    #expect(ranges.count == 2)
    #expect(ranges.first == .some(nil))
    let resumedAt = ranges.last??.wholeMatch(of: /bytes=(\d+)-/).flatMap { Int($0.1) }
    #expect(resumedAt.map { $0 > 0 && $0 <= 100_000 } == true)
    #expect(bytes == blob)
    #expect(done.sha256 == Self.blobSHA256)
    #expect(staged == ["big.bin"])
  }

  @Test func resumeRefusedRestartsFromZero() async throws {
    let blob = Self.blob
    // The server ignores Range and sends the whole file with 200.
    let h = try await TransportHarness.start { _ in .init(body: blob) }
    try FileManager.default.createDirectory(atPath: h.staging, withIntermediateDirectories: true)
    // A leftover part that is not even a prefix: appending to it could never verify.
    try Data(repeating: 0x58, count: 50_000).write(
      to: URL(fileURLWithPath: h.staging + "/big.bin.part"))
    let file = remote(h, "big.bin", size: Int64(blob.count), [Checksum(.sha256, Self.blobSHA256)])
    let done = try await Downloader(client: h.client).download(file, into: h.staging)
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: done.localPath)))
    let staged = h.stagedFiles()
    try await h.close()
    // The first request resumes the leftover; the 200 makes the client start over from byte 0.
    // On a starved CI machine the body can still be cut by the read timeout: any later request
    // must then resume the restarted file; the bytes show nothing was appended to the leftover.
    let ranges = h.server.requests.map { $0.header("Range") }
    #expect(ranges.first == .some("bytes=50000-"))
    #expect(bytes == blob)
    #expect(staged == ["big.bin"])
  }

  @Test func leftoverPartIsResumedAndARangeStartingEarlyIsTrimmed() async throws {
    let blob = Self.blob
    let h = try await TransportHarness.start { request in
      // Answer from 1000 bytes before the requested offset (allowed: the client drops them).
      var early = request
      early.headers = [("Range", "bytes=\(150_000 - 1000)-")]
      return .file(blob, for: early)
    }
    try FileManager.default.createDirectory(atPath: h.staging, withIntermediateDirectories: true)
    try Data(blob[..<150_000]).write(to: URL(fileURLWithPath: h.staging + "/big.bin.part"))
    let file = remote(h, "big.bin", size: Int64(blob.count), [Checksum(.sha256, Self.blobSHA256)])
    let done = try await Downloader(client: h.client).download(file, into: h.staging)
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: done.localPath)))
    let staged = h.stagedFiles()
    try await h.close()
    #expect(h.server.requests.map { $0.header("Range") } == ["bytes=150000-"])
    #expect(bytes == blob)
    #expect(staged == ["big.bin"])
  }

  @Test func wrongChecksumLeavesNothing() async throws {
    let h = try await TransportHarness.start { request in .file(Fixture.table, for: request) }
    let file = remote(h, "table.csv", size: 8, [Checksum(.md5, Fixture.helloMD5)])
    await #expect(
      throws: FetchError.checksumMismatch(
        file: "table.csv", algorithm: "md5", expected: Fixture.helloMD5,
        actual: "e5ebd4c02cefbe7955977c67ada242b7")
    ) { try await Downloader(client: h.client).download(file, into: h.staging) }
    let staged = h.stagedFiles()
    try await h.close()
    #expect(staged == [])
  }

  @Test func wrongChecksumAfterResumeRestartsOnceThenFails() async throws {
    let h = try await TransportHarness.start { request in .file(Fixture.table, for: request) }
    try FileManager.default.createDirectory(atPath: h.staging, withIntermediateDirectories: true)
    try Data("XX".utf8).write(to: URL(fileURLWithPath: h.staging + "/table.csv.part"))
    let file = remote(h, "table.csv", size: 8, [Checksum(.md5, "e5ebd4c02cefbe7955977c67ada242b7")])
    let done = try await Downloader(client: h.client).download(file, into: h.staging)
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: done.localPath)))
    try await h.close()
    // The resumed file ("XX" + tail) fails md5, so it is discarded and fetched whole.
    #expect(h.server.requests.map { $0.header("Range") } == ["bytes=2-", nil])
    #expect(bytes == Fixture.table)
  }

  @Test func htmlLoginPageIsRefused() async throws {
    let h = try await TransportHarness.start { _ in
      .text("<html><body>Log in</body></html>", contentType: "text/html; charset=utf-8")
    }
    let file = remote(h, "data.h5")
    await #expect {
      try await Downloader(client: h.client).download(file, into: h.staging)
    } throws: { error in
      guard case .unexpectedContent(let url, let detail) = error as? FetchError else {
        return false
      }
      return url == file.url.absoluteString
        && detail
          == "an HTML page (text/html; charset=utf-8) instead of data.h5; the file may need a login"
    }
    let staged = h.stagedFiles()
    try await h.close()
    #expect(staged == [])
  }

  @Test func htmlIsFineWhenTheListingSaysHTML() async throws {
    let h = try await TransportHarness.start { _ in .text("<html></html>", contentType: "text/html")
    }
    let done = try await Downloader(client: h.client).download(
      remote(h, "index.html"), into: h.staging)
    try await h.close()
    #expect(done.size == 13)
  }

  @Test func sizeCapStopsEarly() async throws {
    let blob = Self.blob
    let h = try await TransportHarness.start { request in
      // No Content-Length check possible for the client: stream it as a 206 from zero.
      .file(blob, for: request)
    }
    let downloader = Downloader(client: h.client, maxFileBytes: 1000)
    await #expect(throws: FetchError.tooLarge(limit: 1000)) {
      try await downloader.download(remote(h, "big.bin"), into: h.staging)
    }
    // A listed size over the cap is refused before any request.
    await #expect(throws: FetchError.tooLarge(limit: 1000)) {
      try await downloader.download(remote(h, "listed.bin", size: 5000), into: h.staging)
    }
    let staged = h.stagedFiles()
    try await h.close()
    #expect(staged == [])
    #expect(h.server.requests.count == 1)
  }

  @Test func bodyLongerThanListedSizeIsRefused() async throws {
    let h = try await TransportHarness.start { request in .file(Fixture.table, for: request) }
    await #expect(throws: FetchError.sizeMismatch(file: "t.csv", expected: 6, actual: 8)) {
      try await Downloader(client: h.client).download(remote(h, "t.csv", size: 6), into: h.staging)
    }
    let staged = h.stagedFiles()
    try await h.close()
    #expect(staged == [])
  }

  @Test func downloadAllKeepsOrderAndCopiesLocalFiles() async throws {
    let h = try await TransportHarness.start { request in
      .file(request.path.hasSuffix("hello.txt") ? Fixture.hello : Fixture.table, for: request)
    }
    let local = h.workspace.path("bag/data/table.csv")
    try h.workspace.write("bag/data/table.csv", "a,b\n1,2\n")
    let files = [
      remote(h, "hello.txt", size: 6, [Checksum(.md5, Fixture.helloMD5)]),
      RemoteFile(
        path: "payload/table.csv", url: URL(fileURLWithPath: local), size: 8,
        checksums: [Checksum(.adler32, "08780193")]),
      remote(h, "sub/a b.csv", size: 8),
    ]
    let seen = Counter()
    let done = try await Downloader(client: h.client, maxConcurrent: 2).downloadAll(
      files, into: h.staging, progress: { _ in _ = seen.next() })
    let staged = h.stagedFiles()
    try await h.close()
    #expect(done.map(\.remote) == files)
    #expect(done.map(\.size) == [6, 8, 8])
    #expect(staged == ["hello.txt", "payload/table.csv", "sub/a b.csv"])
    #expect(h.server.requests.count == 2)
    #expect(seen.next() > 3)  // at least the three completions were reported
  }

  @Test func downloadAllRefusesCaseCollisionsAndUnsafeNames() async throws {
    let h = try await TransportHarness.start { request in .file(Fixture.hello, for: request) }
    let downloader = Downloader(client: h.client)
    await #expect(throws: FetchError.unsafePath("README.md (collides with readme.md)")) {
      try await downloader.downloadAll(
        [remote(h, "readme.md"), remote(h, "README.md")], into: h.staging)
    }
    let evil = RemoteFile(path: "../evil", url: h.url("/x"))
    await #expect(throws: FetchError.unsafePath("../evil")) {
      try await downloader.download(evil, into: h.staging)
    }
    try await h.close()
    #expect(h.server.requests.isEmpty)
  }
}
