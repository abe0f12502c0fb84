import FairflowBase
import FairflowTesting
import Foundation
import ROOTIO
import Testing

/// RNTuples written by uproot (`Peers/make_rntuples.py`: every supported field type, every
/// codec, three clusters; split/zigzag/delta encodings; pages of ≤ 96 elements), read by
/// fairflow and compared with uproot's own reading, digest for digest.
@Suite struct RNTupleTests {
  static let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Peers").path

  /// (directory, uproot's digests) made once for the suite; nil when no Python peers (skipped).
  static let fixtures: Result<(String, [UprootReferenceTests.Reference]), any Error>? = {
    guard let python = PythonPeer.interpreter else { return nil }
    return Result {
      let ws = try TemporaryWorkspace("rntuple-fixtures")
      let made = try Shell.run([python, peers + "/make_rntuples.py", ws.root], in: ws.root)
      guard made.status == 0 else { throw ROOTError("make_rntuples.py failed: \(made.stderr)") }
      let files = try FileManager.default.contentsOfDirectory(atPath: ws.root)
        .filter { $0.hasPrefix("rntuple-") && $0 != "rntuple-unsupported.root" }.sorted()
        .map { ws.root + "/" + $0 }
      let out = try Shell.run([python, peers + "/rntuple_digest.py"] + files, in: ws.root)
      guard out.status == 0 else { throw ROOTError("rntuple_digest.py failed: \(out.stderr)") }
      let refs = try UprootReferenceTests.Reference.parse(out.stdout)
      return (ws.root, refs)
    }
  }()

  func load() throws -> (String, [UprootReferenceTests.Reference])? {
    guard let fixtures = Self.fixtures else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return nil
    }
    return try fixtures.get()
  }

  @Test func everyFieldOfEveryCodecAndEncodingEqualsUproot() throws {
    guard let (directory, refs) = try load() else { return }
    var checked = 0
    var files: Set<String> = []
    for ref in refs {
      guard let field = ref.branch, let digest = ref.digest else {
        Issue.record("uproot failed on \(ref.file) \(ref.branch ?? ""): \(ref.error ?? "")")
        continue
      }
      let ntuple = try ROOTFile(path: directory + "/" + ref.file).rntuple(ref.tree)
      #expect(ColumnDigest(try ntuple.read(field)) == digest, "\(ref.file) \(field)")
      checked += 1
      files.insert(ref.file)
    }
    // zlib, lz4, zstd, lzma, none; split zlib and none; pages: 21 leaf fields each.
    #expect(files.count == 8)
    #expect(checked == 8 * 21)
  }

  @Test func fieldsAreListedWithTypesAndTheDataSpansClustersAndPages() throws {
    guard let (directory, _) = try load() else { return }
    let ntuple = try ROOTFile(path: directory + "/rntuple-pages.root").rntuple("events")
    #expect(ntuple.entries == 2000)
    #expect(ntuple.clusterCount == 3)
    // 700 + 1 + 1299 floats in pages of at most 96: 8 + 1 + 14.
    #expect(try ntuple.pageCount("f32") == 23)
    #expect(try ntuple.pageCount("b") == 23)
    let vf = try ntuple.field("vf")
    #expect(vf.typeName == "std::vector<float>" && vf.shape == "vector<float32>  jagged")
    #expect(try ntuple.field("arr").shape == "float32[3]")
    #expect(try ntuple.field("jets.pt").shape == "vector<float32>  jagged")
    #expect(try ntuple.field("s").shape == "string")
    let zlib = try ROOTFile(path: directory + "/rntuple-zlib.root")
    #expect(try zlib.rntuple("events").pageCount("f32") == 3)
    #expect(try zlib.entries().map(\.isRNTuple) == [true])
    let outline = try zlib.outline()
    #expect(outline.contains("events  ROOT::RNTuple  2000 entries  3 clusters\n"))
    #expect(outline.contains("  vf        vector<float32>  jagged  (std::vector<float>)\n"))
    #expect(outline.contains("  rec.a     int16  (std::int16_t)\n"))
  }

  @Test(arguments: ["rntuple-pages.root", "rntuple-split-zlib.root"])
  func entryRangesEqualSlicesOfTheWholeField(_ name: String) throws {
    guard let (directory, _) = try load() else { return }
    let ntuple = try ROOTFile(path: directory + "/" + name).rntuple("events")
    // Across page (96) and cluster (700, 701) boundaries, a one-entry cluster, and the end.
    for range in [0..<1, 95..<97, 650..<1500, 700..<701, 701..<2000, 1999..<2000, 5..<5] {
      for field in ["f64", "b", "arr", "vf", "vb", "jets.eta", "s", "u64"] {
        let whole = try ntuple.read(field)
        let part = try ntuple.read(field, entries: range)
        #expect(part.entries == range.count)
        let n = whole.itemSize
        let items =
          whole.offsets.map { $0[range.lowerBound]..<$0[range.upperBound] }
          ?? range.lowerBound..<range.upperBound
        #expect(
          ColumnDigest.littleEndian(part.values)
            == ColumnDigest.littleEndian(
              slice(whole.values, items.lowerBound * n..<items.upperBound * n)),
          "\(name) \(field) \(range)")
        if let offsets = whole.offsets {
          #expect(
            part.offsets
              == offsets[range.lowerBound...range.upperBound].map { $0 - offsets[range.lowerBound] }
          )
        }
      }
    }
    // Several fields at once (one collection index shared by jets.pt and jets.eta).
    let names = ["jets.pt", "jets.eta", "vf", "s", "b"]
    for range in [0..<2000, 650..<1500] {
      let together = try ntuple.read(names, entries: range)
      for name in names {
        #expect(
          ColumnDigest(together[name]!) == ColumnDigest(try ntuple.read(name, entries: range)),
          "\(name) \(range)")
      }
    }
    #expect(throws: ROOTError.self) { try ntuple.read("f64", entries: 0..<2001) }
  }

  func slice(_ values: Column.Values, _ r: Range<Int>) -> Column.Values {
    switch values {
    case .bool(let v): return .bool(Array(v[r]))
    case .float32(let v): return .float32(Array(v[r]))
    case .float64(let v): return .float64(Array(v[r]))
    case .uint64(let v): return .uint64(Array(v[r]))
    case .string(let v): return .string(Array(v[r]))
    default: return values
    }
  }

  @Test func unsupportedFieldsAreNamedWithTheFeatureAndTheOthersStillRead() throws {
    guard let (directory, _) = try load() else { return }
    let path = directory + "/rntuple-unsupported.root"
    let file = try ROOTFile(path: path)
    let ntuple = try file.rntuple("events")
    #expect(
      throws: ROOTError(
        "\(path): RNTuple 'events', field 'h': column type Real16 is not supported "
          + "(half-precision, truncated and quantized floats are not read)")
    ) { try ntuple.read("h") }
    #expect(
      throws: ROOTError(
        "\(path): RNTuple 'events', field 'vv': std::vector<std::vector<double>> is not supported "
          + "(nested collections, e.g. a vector of vectors)")
    ) { try ntuple.read("vv") }
    #expect(try ntuple.field("vv").isReadable == false)
    guard case .int32(let ok) = try ntuple.read("ok").values else {
      Issue.record("not int32")
      return
    }
    #expect(ok == [0, 1, 2, 3])
    #expect(throws: ROOTError("\(path): 'events' is a ROOT::RNTuple, not a TTree")) {
      try file.tree("events")
    }
    #expect(throws: ROOTError.self) { try ntuple.read("nope") }
  }

  @Test func aChangedByteInTheHeaderFailsItsChecksum() throws {
    guard let (directory, _) = try load() else { return }
    var bytes = try [UInt8](
      Data(contentsOf: URL(fileURLWithPath: directory + "/rntuple-none.root")))
    // The writer's name is in the (uncompressed) header envelope.
    let marker = Array("Uproot ".utf8)
    let at = try #require(
      (0..<(bytes.count - marker.count)).first { Array(bytes[$0..<$0 + marker.count]) == marker })
    bytes[at] ^= 0x20
    let ws = try TemporaryWorkspace("rntuple-checksum")
    defer { ws.destroy() }
    let path = ws.path("changed.root")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(
      throws: ROOTError(
        "\(path): RNTuple 'events': corrupt or truncated data: header envelope: checksum (XXH3) mismatch"
      )
    ) { try ROOTFile(path: path).rntuple("events") }
  }

  /// Truncated copies, flipped bytes and zeroed holes: errors or values, never a crash or hang.
  @Test(arguments: ["rntuple-zlib.root", "rntuple-split-none.root", "rntuple-pages.root"])
  func corruptCopiesFailCleanly(_ name: String) throws {
    guard let (directory, _) = try load() else { return }
    let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    let ws = try TemporaryWorkspace("rntuple-corrupt")
    defer { ws.destroy() }
    var rng = SplitMix64(seed: UInt64(name.utf8.count))
    for variant in 0..<60 {
      var bytes = original
      switch variant % 3 {
      case 0: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
      case 1:
        for _ in 0..<(1 + variant % 4) {
          bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(
            in: 1...255, using: &rng)
        }
      default:
        let start = Int.random(in: 0..<bytes.count, using: &rng)
        for i in start..<min(bytes.count, start + 4096) { bytes[i] = 0 }
      }
      let path = ws.path("v\(variant).root")
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      guard let ntuple = try? ROOTFile(path: path).rntuple("events") else { continue }
      for field in ntuple.fields { _ = try? ntuple.read(field.name) }
    }
  }
}
