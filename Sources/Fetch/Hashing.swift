internal import Compression
internal import Crypto

/// An incremental hash of one ``ChecksumAlgorithm``: feed chunks with ``update(_:)``, read the
/// lowercase hex with ``finalize()``. Files are hashed as they stream in, never held in memory.
public struct StreamingHasher {
  public let algorithm: ChecksumAlgorithm
  private var state: State

  private enum State {
    case md5(Insecure.MD5)
    case sha1(Insecure.SHA1)
    case sha256(SHA256)
    case sha512(SHA512)
    case adler32(Adler32)
  }

  public init(_ algorithm: ChecksumAlgorithm) {
    self.algorithm = algorithm
    switch algorithm {
    case .md5: state = .md5(Insecure.MD5())
    case .sha1: state = .sha1(Insecure.SHA1())
    case .sha256: state = .sha256(SHA256())
    case .sha512: state = .sha512(SHA512())
    case .adler32: state = .adler32(Adler32())
    }
  }

  public mutating func update(_ bytes: some Collection<UInt8>) {
    let done: Void? = bytes.withContiguousStorageIfAvailable {
      update(raw: UnsafeRawBufferPointer($0))
    }
    if done == nil { Array(bytes).withUnsafeBytes { update(raw: $0) } }
  }

  private mutating func update(raw: UnsafeRawBufferPointer) {
    switch state {
    case .md5(var h):
      h.update(bufferPointer: raw)
      state = .md5(h)
    case .sha1(var h):
      h.update(bufferPointer: raw)
      state = .sha1(h)
    case .sha256(var h):
      h.update(bufferPointer: raw)
      state = .sha256(h)
    case .sha512(var h):
      h.update(bufferPointer: raw)
      state = .sha512(h)
    case .adler32(var h):
      h.update(raw)
      state = .adler32(h)
    }
  }

  /// The digest as lowercase hex (adler32: 8 digits, zero-padded).
  public func finalize() -> String {
    switch state {
    case .md5(let h): hex(h.finalize())
    case .sha1(let h): hex(h.finalize())
    case .sha256(let h): hex(h.finalize())
    case .sha512(let h): hex(h.finalize())
    case .adler32(let h): String(String(h.value, radix: 16).leftPadded(to: 8))
    }
  }

  /// The digest as a ``Checksum``.
  public func checksum() -> Checksum { Checksum(algorithm, finalize()) }

  /// Hashes a whole buffer at once.
  public static func hash(_ bytes: some Collection<UInt8>, _ algorithm: ChecksumAlgorithm)
    -> String
  {
    var hasher = StreamingHasher(algorithm)
    hasher.update(bytes)
    return hasher.finalize()
  }
}

/// Several hashers fed from one pass over the bytes (the listed checksums plus SHA-256).
struct MultiHasher {
  private(set) var hashers: [StreamingHasher]

  init(_ algorithms: some Sequence<ChecksumAlgorithm>) {
    var unique: [ChecksumAlgorithm] = []
    for algorithm in algorithms where !unique.contains(algorithm) { unique.append(algorithm) }
    hashers = unique.map(StreamingHasher.init)
  }

  mutating func update(_ bytes: [UInt8]) {
    for index in hashers.indices { hashers[index].update(bytes) }
  }

  func digests() -> [ChecksumAlgorithm: String] {
    Dictionary(uniqueKeysWithValues: hashers.map { ($0.algorithm, $0.finalize()) })
  }
}

private func hex(_ digest: some Sequence<UInt8>) -> String {
  let digits = Array("0123456789abcdef".utf8)
  var out: [UInt8] = []
  for byte in digest {
    out.append(digits[Int(byte >> 4)])
    out.append(digits[Int(byte & 0xF)])
  }
  return String(decoding: out, as: UTF8.self)
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
