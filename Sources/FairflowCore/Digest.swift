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
    var words: [UInt64] = []
    words.reserveCapacity(4)
    var current: UInt64 = 0, count = 0
    for char in hex.utf8 {
      let value: UInt8
      switch char {
      case 48...57: value = char - 48
      case 97...102: value = char - 87
      default: return nil
      }
      current = current << 4 | UInt64(value)
      count += 1
      if count % 16 == 0 {
        words.append(current)
        current = 0
      }
    }
    guard count == 64 else { return nil }
    (a, b, c, d) = (words[0], words[1], words[2], words[3])
  }

  /// From 32 raw bytes (more or fewer is a programmer error).
  public init<D: Sequence>(bytes: D) where D.Element == UInt8 {
    var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    var index = 0
    for byte in bytes {
      precondition(index < 32, "a SHA-256 digest has 32 bytes")
      switch index >> 3 {
      case 0: words.0 = words.0 << 8 | UInt64(byte)
      case 1: words.1 = words.1 << 8 | UInt64(byte)
      case 2: words.2 = words.2 << 8 | UInt64(byte)
      default: words.3 = words.3 << 8 | UInt64(byte)
      }
      index += 1
    }
    precondition(index == 32, "a SHA-256 digest has 32 bytes")
    (a, b, c, d) = words
  }

  /// The 32 raw bytes.
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(32)
    for word in [a, b, c, d] {
      for shift in stride(from: 56, through: 0, by: -8) {
        out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
      }
    }
    return out
  }

  /// 64 lowercase hex digits.
  public var hex: String {
    let raw = bytes
    return String(unsafeUninitializedCapacity: 64) { buffer in
      func digit(_ v: UInt8) -> UInt8 { v < 10 ? v + 48 : v + 87 }
      for (i, byte) in raw.enumerated() {
        buffer[2 * i] = digit(byte >> 4)
        buffer[2 * i + 1] = digit(byte & 0x0f)
      }
      return 64
    }
  }

  /// SHA-256 of a byte buffer.
  public static func of(_ bytes: some Sequence<UInt8>) -> Digest {
    var hasher = SHA256()
    let array = Array(bytes)
    array.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    return Digest(bytes: hasher.finalize())
  }

  public static func of(_ text: String) -> Digest {
    var copy = text
    return copy.withUTF8 { buffer in
      var hasher = SHA256()
      hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
      return Digest(bytes: hasher.finalize())
    }
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
  public mutating func finalize() -> Digest { Digest(bytes: hasher.finalize()) }
}
