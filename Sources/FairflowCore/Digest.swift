internal import Crypto

/// A SHA-256 content digest, kept as 64 lowercase hex characters.
///
/// Every digest fairflow records (objects, manifests, fingerprints) is SHA-256; the lock file and
/// run cache name the algorithm once in their header (`hash: sha256`) so a future algorithm
/// change cannot be confused with a content change.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
  public let hex: String

  /// Wraps a hex string; nil unless it is 64 lowercase hex digits.
  public init?(hex: String) {
    guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
      return nil
    }
    self.hex = hex
  }

  public init<D: Sequence>(bytes: D) where D.Element == UInt8 {
    let table: [UInt8] = Array("0123456789abcdef".utf8)
    var chars = [UInt8]()
    chars.reserveCapacity(64)
    for byte in bytes {
      chars.append(table[Int(byte >> 4)])
      chars.append(table[Int(byte & 0x0f)])
    }
    self.hex = String(decoding: chars, as: UTF8.self)
  }

  /// SHA-256 of a byte buffer.
  public static func of(_ bytes: some Sequence<UInt8>) -> Digest {
    var hasher = SHA256()
    hasher.update(data: Array(bytes))
    return Digest(bytes: hasher.finalize())
  }

  public static func of(_ text: String) -> Digest { of(Array(text.utf8)) }

  public var description: String { hex }
  public var short: String { String(hex.prefix(12)) }
  public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.hex < rhs.hex }
}

/// Incremental SHA-256, for hashing files in chunks without holding them in memory.
public struct ContentHasher {
  private var hasher = SHA256()
  public init() {}
  public mutating func update(_ buffer: UnsafeRawBufferPointer) { hasher.update(bufferPointer: buffer) }
  public mutating func finalize() -> Digest { Digest(bytes: hasher.finalize()) }
}
