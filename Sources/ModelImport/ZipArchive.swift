internal import Compression

/// Reads the entries of a zip archive (PyTorch's checkpoint container): the end-of-central-
/// directory record, the central directory, and each entry's data, stored or deflated.
/// Bounds are checked everywhere; zip64 and encryption are refused.
struct ZipArchive {
  let bytes: [UInt8]
  /// Entry name → (data offset, compressed size, uncompressed size, method).
  var entries: [String: (offset: Int, compressed: Int, size: Int, method: Int)] = [:]

  static func isZip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 3 && bytes[3] == 4
  }

  init(_ bytes: [UInt8]) throws(ImportError) {
    self.bytes = bytes
    func u16(_ at: Int) throws(ImportError) -> Int {
      guard at >= 0, at + 2 <= bytes.count else { throw ImportError("zip: truncated archive") }
      return Int(bytes[at]) | Int(bytes[at + 1]) << 8
    }
    func u32(_ at: Int) throws(ImportError) -> Int {
      guard at >= 0, at + 4 <= bytes.count else { throw ImportError("zip: truncated archive") }
      return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(
        bytes[at + 3]) << 24
    }
    var eocd = -1
    var i = bytes.count - 22
    while i >= max(0, bytes.count - 22 - 65535) {
      if try u32(i) == 0x0605_4B50 {
        eocd = i
        break
      }
      i -= 1
    }
    guard eocd >= 0 else { throw ImportError("zip: no end-of-central-directory record") }
    let count = try u16(eocd + 10)
    var at = try u32(eocd + 16)
    guard count != 0xFFFF, at != 0xFFFF_FFFF else {
      throw ImportError("zip: zip64 archives are not supported")
    }
    for _ in 0..<count {
      guard try u32(at) == 0x0201_4B50 else {
        throw ImportError("zip: bad central directory entry")
      }
      let flags = try u16(at + 8)
      let method = try u16(at + 10)
      let compressed = try u32(at + 20)
      let size = try u32(at + 24)
      let nameLength = try u16(at + 28)
      let extra = try u16(at + 30)
      let comment = try u16(at + 32)
      let local = try u32(at + 42)
      guard at + 46 + nameLength <= bytes.count else { throw ImportError("zip: truncated archive") }
      let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
      guard flags & 1 == 0 else { throw ImportError("zip: encrypted entry '\(name)'") }
      guard try u32(local) == 0x0403_4B50 else {
        throw ImportError("zip: bad local header of '\(name)'")
      }
      let data = local + 30 + (try u16(local + 26)) + (try u16(local + 28))
      guard data >= 0, compressed >= 0, data + compressed <= bytes.count else {
        throw ImportError("zip: entry '\(name)' runs past the end of the archive")
      }
      entries[name] = (data, compressed, size, method)
      at += 46 + nameLength + extra + comment
    }
  }

  /// The uncompressed bytes of entry `name`.
  func data(_ name: String) throws(ImportError) -> [UInt8] {
    guard let e = entries[name] else { throw ImportError("zip: no entry '\(name)'") }
    let stored = Array(bytes[e.offset..<(e.offset + e.compressed)])
    switch e.method {
    case 0:
      return stored
    case 8:
      guard e.size <= e.compressed &* 1100 + 65536 else {
        throw ImportError("zip: entry '\(name)' claims \(e.size) bytes")
      }
      do {
        return try Inflate.raw(stored, expectedSize: e.size)
      } catch {
        switch error {
        case .cannotInitialise: throw ImportError("zip: cannot initialise inflate")
        case .corrupt: throw ImportError("zip: entry '\(name)' does not inflate to its size")
        }
      }
    default:
      throw ImportError("zip: entry '\(name)' uses unsupported compression method \(e.method)")
    }
  }
}
