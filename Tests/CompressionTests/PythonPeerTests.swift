import Compression
import FairflowBase
import FairflowTesting
import Foundation
import Testing

/// Data compressed by Python (zlib, lzma and the venv's `lz4` and `zstandard` modules) decodes to
/// the same bytes here; XXH64 and Adler-32 equal the `xxhash` module's and zlib's.
@Suite struct PythonPeerTests {
  /// Samples: empty, text, compressible (a small alphabet) and incompressible (random) bytes, up
  /// to 3 MiB (over zstd's and xz's block sizes; LZ4 and ROOT blocks stay under 16 MiB).
  static func samples() -> [[UInt8]] {
    var generator = SplitMix64(seed: 2024)
    let compressible = (0..<3_000_000).map { _ in UInt8.random(in: 97...100, using: &generator) }
    let random = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return [[], Vectors.text, Array(repeating: 0, count: 70_000), compressible, random]
  }

  static let script = """
    import lzma, sys, zlib, lz4.block, xxhash, zstandard
    for i in range(int(sys.argv[1])):
        d = open(f"{i}.raw", "rb").read()
        raw = zlib.compressobj(6, zlib.DEFLATED, -15)
        out = {"zlib": zlib.compress(d), "deflate": raw.compress(d) + raw.flush(),
               "xz": lzma.compress(d, format=lzma.FORMAT_XZ),
               "lz4": lz4.block.compress(d, store_size=False),
               "zstd": zstandard.ZstdCompressor(level=3).compress(d)}
        for name, blob in out.items(): open(f"{i}.{name}", "wb").write(blob)
        open(f"{i}.sums", "w").write(f"{xxhash.xxh64_intdigest(d)} {xxhash.xxh64_intdigest(d, seed=7)} {zlib.adler32(d)}")
    """

  @Test func decodesWhatPythonEncoded() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("compression")
    defer { ws.destroy() }
    let samples = Self.samples()
    for (index, sample) in samples.enumerated() {
      try Data(sample).write(to: URL(fileURLWithPath: ws.path("\(index).raw")))
    }
    let out = try Shell.run([python, "-c", Self.script, "\(samples.count)"], in: ws.root)
    try #require(out.status == 0, "\(out.stderr)")
    for (index, sample) in samples.enumerated() {
      for codec in Codec.all {
        let encoded = try ws.readBytes("\(index).\(codec)")
        #expect(
          try codec.decode(encoded, sample.count) == sample,
          "\(codec), sample \(index) (\(sample.count) bytes)")
      }
      let sums = try ws.read("\(index).sums").split(separator: " ").map { UInt64($0)! }
      #expect(XXHash.hash64(sample) == sums[0], "XXH64 of sample \(index)")
      #expect(XXHash.hash64(sample, seed: 7) == sums[1], "XXH64 seed 7 of sample \(index)")
      var adler = Adler32()
      for start in stride(from: 0, to: sample.count, by: 65_536) {
        adler.update(sample[start..<min(sample.count, start + 65_536)])
      }
      #expect(UInt64(adler.value) == sums[2], "Adler-32 of sample \(index)")
    }
  }
}
