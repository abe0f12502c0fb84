/// One short text compressed by each codec (made with Python's zlib and lzma and the `lz4` and
/// `zstandard` modules), so the codec tests need no peer.
enum Vectors {
  static let text = Array("hello, hello, hello compression".utf8)
  static let zlib = bytes("789ccb48cdc9c9d751c840a21492f3730b8a528b8b33f3f300b39e0ba7")
  static let deflate = bytes("cb48cdc9c9d751c840a21492f3730b8a528b8b33f3f300")
  static let xz = bytes(
    "fd377a585a000004e6d6b4460200210116000000742fe5a3e0001e00195d00341949ee8def8c873201ab1bc5"
      + "fae50dbc37325e8afd8a271f0000000019430d38002956ee0001351f687abf0f1fb6f37d010000000004595a")
  static let lz4 = bytes("7868656c6c6f2c200700c020636f6d7072657373696f6e")
  static let zstd = bytes("28b52ffd201fcd00009868656c6c6f2c2020636f6d7072657373696f6e0100e28a11")
  /// `xxhash.xxh64_intdigest(text)`, `…(b"")`, `…(text, seed=42)`; `zlib.adler32(text)`.
  static let xxh64: UInt64 = 0x154a_cd7e_5ff8_614d
  static let xxh64Empty: UInt64 = 0xef46_db37_51d8_e999
  static let xxh64Seed42: UInt64 = 0x4798_ba3e_72be_e16b
  static let adler32: UInt = 0xb39e_0ba7

  static func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map {
      UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
    }
  }
}
