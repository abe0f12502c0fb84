import Crypto
import Foundation

/// Size and digests of one file, computed in one streaming pass (models can be gigabytes).
struct FileHashes: Sendable, Equatable {
  var size: Int64
  var sha256: String
  var sha512: String
  var md5: String

  static func of(_ url: URL) throws(PublishError) -> FileHashes {
    guard let handle = FileHandle(forReadingAtPath: url.path) else {
      throw .io(path: url.path, detail: "cannot open for reading")
    }
    defer { try? handle.close() }
    var sha256 = SHA256()
    var sha512 = SHA512()
    var md5 = Insecure.MD5()
    var size: Int64 = 0
    while true {
      let chunk: Data
      do {
        guard let next = try handle.read(upToCount: 1 << 20), !next.isEmpty else { break }
        chunk = next
      } catch {
        throw .io(path: url.path, detail: "\(error)")
      }
      sha256.update(data: chunk)
      sha512.update(data: chunk)
      md5.update(data: chunk)
      size += Int64(chunk.count)
    }
    return FileHashes(
      size: size, sha256: hex(sha256.finalize()), sha512: hex(sha512.finalize()),
      md5: hex(md5.finalize()))
  }

  static func of(bytes: [UInt8]) -> FileHashes {
    FileHashes(
      size: Int64(bytes.count), sha256: hex(SHA256.hash(data: bytes)),
      sha512: hex(SHA512.hash(data: bytes)), md5: hex(Insecure.MD5.hash(data: bytes)))
  }

  private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for byte in digest {
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}
