/// A TKey: the header of every record (reference §1.2). 64-bit seek fields are decided by this
/// key's own version (> 1000), never by the file header.
struct Key: Sendable {
  var nbytes: Int
  var version: Int
  var objlen: Int
  var keylen: Int
  var cycle: Int
  var seekKey: Int
  var seekPdir: Int
  var className: String
  var name: String
  var title: String

  /// Reads a key at the cursor.
  init(_ c: inout Cursor) throws(ROOTError) {
    let start = c.offset
    nbytes = try c.count("key fNbytes")
    version = Int(try c.i16("key version"))
    objlen = try c.count("key fObjlen")
    _ = try c.u32("key fDatime")
    keylen = Int(try c.i16("key fKeylen"))
    cycle = Int(try c.i16("key fCycle"))
    if version > 1000 {
      seekKey = Int(try c.i64("key fSeekKey"))
      seekPdir = Int(try c.i64("key fSeekPdir") & 0x0000_FFFF_FFFF_FFFF)
    } else {
      seekKey = Int(try c.i32("key fSeekKey"))
      seekPdir = Int(try c.i32("key fSeekPdir"))
    }
    className = try c.tstring("key class name")
    name = try c.tstring("key name")
    title = try c.tstring("key title")
    guard keylen >= c.offset - start, seekKey >= 0 else {
      throw .corrupt("key '\(name)': fKeylen \(keylen) is shorter than its own header")
    }
  }

  /// Bytes of data on disk after the key.
  var storedLength: Int { nbytes - keylen }
  var isCompressed: Bool { storedLength != objlen }
}

extension ROOTFile {
  /// The key at `offset` (`bytes` at least: more is read if the strings need it).
  func key(at offset: Int, _ what: String) throws(ROOTError) -> Key {
    let length = min(512, file.size - max(0, offset))
    var c = Cursor(try file.read(at: offset, count: max(0, length), what))
    return try Key(&c)
  }

  /// The (decompressed) data of a record, with sizes checked so a lying header cannot make the
  /// reader allocate without bound.
  func data(of key: Key, _ what: String, record: [UInt8]? = nil) throws(ROOTError) -> [UInt8] {
    guard key.storedLength >= 0, key.objlen >= 0 else {
      throw .corrupt("\(what): negative record size")
    }
    let stored: ArraySlice<UInt8>
    if let record, record.count == key.nbytes {
      stored = record[key.keylen...]
    } else {
      stored = try file.read(at: key.seekKey + key.keylen, count: key.storedLength, what)[...]
    }
    guard key.isCompressed else { return Array(stored) }
    // No codec ROOT uses expands by more than ~1032:1 (deflate's limit).
    guard key.objlen <= key.storedLength &* 1100 + 65536 else {
      throw .corrupt(
        "\(what): claims \(key.objlen) bytes from \(key.storedLength) compressed bytes")
    }
    do throws(ROOTError) {
      return try Decompressor.decompress(stored[...], expected: key.objlen)
    } catch {
      throw error.context(what)
    }
  }
}
