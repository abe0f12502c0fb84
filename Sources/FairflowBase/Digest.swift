internal import Crypto

/// A SHA-256 content digest, kept as 64 lowercase hex characters.
///
/// Every digest fairflow records (objects, manifests, fingerprints) is SHA-256; the lock file and
/// run cache name the algorithm once in their header (`hash: sha256`) so a future algorithm
/// change cannot be confused with a content change.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
  // 32 bytes inline (big-endian words): no heap allocation per digest, cheap to hash and compare.
  private let a: UInt64, b: UInt64, c: UInt64, d: UInt64

  /// Wraps a hex string; nil unless it is 64 lowercase hex digits.
  public init?(hex: String) {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var current: UInt64 = 0, count = 0
    for char in hex.utf8 {
      let value: UInt8
      switch char {
      case 48...57: value = char - 48
      case 97...102: value = char - 87
      default: return nil
      }
      guard count < 64 else { return nil }
      current = current << 4 | UInt64(value)
      count += 1
      switch count {
      case 16: words.0 = current
      case 32: words.1 = current
      case 48: words.2 = current
      case 64: words.3 = current
      default: continue
      }
      current = 0
    }
    guard count == 64 else { return nil }
    (a, b, c, d) = words
  }

  /// From 32 raw bytes (more or fewer is a programmer error).
  public init<D: Sequence>(bytes: D) where D.Element == UInt8 {
    if let digest = bytes.withContiguousStorageIfAvailable({
      Digest(raw: UnsafeRawBufferPointer($0))
    }) {
      self = digest
    } else {
      self = Array(bytes).withUnsafeBytes { Digest(raw: $0) }
    }
  }

  /// From exactly 32 raw bytes: four big-endian loads.
  package init(raw: UnsafeRawBufferPointer) {
    precondition(raw.count == 32, "a SHA-256 digest has 32 bytes")
    func word(_ offset: Int) -> UInt64 {
      UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    (a, b, c, d) = (word(0), word(8), word(16), word(24))
  }

  /// The 32 raw bytes.
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(32)
    appendBytes(to: &out)
    return out
  }

  /// Appends the 32 raw bytes to `out`.
  package func appendBytes(to out: inout [UInt8]) {
    withUnsafeBytes(of: (a.bigEndian, b.bigEndian, c.bigEndian, d.bigEndian)) {
      out.append(contentsOf: $0)
    }
  }

  /// Appends the 64 lowercase hex digits to `out`, as UTF-8.
  package func appendHex(to out: inout [UInt8]) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
      writeHex(into: buffer)
      out.append(contentsOf: buffer)
    }
  }

  private func writeHex(into buffer: UnsafeMutableBufferPointer<UInt8>) {
    Digest.hexPairs.withUnsafeBufferPointer { pairs in
      func put(_ word: UInt64, at start: Int) {
        for position in 0..<8 {
          let byte = Int(truncatingIfNeeded: word >> UInt64(56 - 8 * position)) & 0xff
          buffer[start + 2 * position] = pairs[2 * byte]
          buffer[start + 2 * position + 1] = pairs[2 * byte + 1]
        }
      }
      put(a, at: 0)
      put(b, at: 16)
      put(c, at: 32)
      put(d, at: 48)
    }
  }

  /// The two lowercase hex digits of every byte value, back to back.
  private static let hexPairs: [UInt8] = (0..<256).flatMap { byte -> [UInt8] in
    let digits = Array("0123456789abcdef".utf8)
    return [digits[byte >> 4], digits[byte & 0x0f]]
  }

  /// 64 lowercase hex digits.
  public var hex: String {
    String(unsafeUninitializedCapacity: 64) { buffer in
      writeHex(into: buffer)
      return 64
    }
  }

  /// SHA-256 of a byte buffer.
  public static func of(_ bytes: some Sequence<UInt8>) -> Digest {
    if let digest = bytes.withContiguousStorageIfAvailable({
      of(raw: UnsafeRawBufferPointer($0))
    }) {
      return digest
    }
    return Array(bytes).withUnsafeBytes { of(raw: $0) }
  }

  public static func of(_ text: String) -> Digest {
    var copy = text
    return copy.withUTF8 { of(raw: UnsafeRawBufferPointer($0)) }
  }

  /// SHA-256 of raw memory.
  static func of(raw: UnsafeRawBufferPointer) -> Digest {
    var hasher = SHA256()
    hasher.update(bufferPointer: raw)
    return hasher.finalize().withUnsafeBytes { Digest(raw: $0) }
  }

  public var description: String { hex }
  public var short: String { String(hex.prefix(12)) }
  public static func < (lhs: Digest, rhs: Digest) -> Bool {
    (lhs.a, lhs.b, lhs.c, lhs.d) < (rhs.a, rhs.b, rhs.c, rhs.d)
  }
}

/// Incremental SHA-256, for hashing files in chunks without holding them in memory.
public struct ContentHasher {
  private var hasher = SHA256()
  public init() {}
  public mutating func update(_ buffer: UnsafeRawBufferPointer) {
    hasher.update(bufferPointer: buffer)
  }
  public mutating func finalize() -> Digest {
    hasher.finalize().withUnsafeBytes { Digest(raw: $0) }
  }
}
