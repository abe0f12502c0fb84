internal import Compression

/// The `ROOT::RNTuple` key's object (RNTuple specification 1.0, "Anchor schema"): the format
/// version and where the header and footer envelopes are. Unlike the rest of RNTuple it is a
/// classic ROOT object, so it is big-endian, behind a byte count and class version:
///
///     byte count | class version | epoch major minor patch (u16 each)
///     seek, compressed and uncompressed size of the header (u64 each), the same for the footer,
///     max key size (u64), XXH3-64 of those 64 bytes (u64, verified)
struct RNTupleAnchor: Sendable {
  var version: [Int]
  var header: Locator
  var headerLength: Int
  var footer: Locator
  var footerLength: Int

  init(_ data: [UInt8]) throws(ROOTError) {
    var c = Cursor(data)
    let count = try c.u32("anchor byte count")
    guard count & 0x4000_0000 != 0 else { throw .corrupt("RNTuple anchor without a byte count") }
    _ = try c.u16("anchor class version")
    version = []
    for part in ["epoch", "major", "minor", "patch"] {
      version.append(Int(try c.u16("anchor version \(part)")))
    }
    func size(_ what: String) throws(ROOTError) -> Int {
      let value = try c.i64(what)
      guard value >= 0 else { throw .corrupt("negative \(what) \(value)") }
      return Int(value)
    }
    header = Locator(offset: try size("header seek"), size: try size("header size"))
    headerLength = try size("header length")
    footer = Locator(offset: try size("footer seek"), size: try size("footer size"))
    footerLength = try size("footer length")
    _ = try c.u64("max key size")
    let checksum = try c.u64("anchor checksum")
    guard XXHash.hash3(data[6..<70]) == checksum else {
      throw .corrupt("RNTuple anchor checksum (XXH3) mismatch")
    }
    guard version[0] == 1 else {
      throw ROOTError(
        "RNTuple format \(version.map(String.init).joined(separator: ".")) is not supported "
          + "(epoch \(version[0]); this reader reads epoch 1, ROOT 6.34 and later)")
    }
  }
}

/// Where a page or envelope is in the file: offset and compressed size (the standard locator,
/// or the 64-bit "large" one).
struct Locator: Sendable, Equatable {
  var offset: Int
  var size: Int

  init(offset: Int, size: Int) {
    self.offset = offset
    self.size = size
  }

  /// Reads a locator (specification 1.0, "Locators and Envelope Links").
  init(_ c: inout EnvelopeCursor, _ what: @autoclosure () -> String) throws(ROOTError) {
    let head = try c.i32("\(what()) locator")
    if head >= 0 {
      size = head
      offset = try c.count64("\(what()) offset")
      return
    }
    // A negative head is a non-standard locator: the type is in bits 24… of its magnitude.
    let type = -head >> 24
    guard type == 1 else {
      throw ROOTError("\(what()): locator type \(type) (not a file locator) is not supported")
    }
    size = try c.count64("\(what()) size")
    offset = try c.count64("\(what()) offset")
  }
}

extension ROOTFile {
  /// The RNTuple at `path` ("events", "dir/ntuple").
  public func rntuple(_ path: String) throws(ROOTError) -> RNTuple {
    let key = try key(path: path)
    guard key.className == RNTuple.className else {
      throw ROOTError("\(self.path): '\(path)' is a \(key.className), not a \(RNTuple.className)")
    }
    do throws(ROOTError) {
      let anchor = try RNTupleAnchor(try data(of: key, "RNTuple anchor"))
      return try RNTuple(anchor: anchor, path: path, file: self)
    } catch {
      throw error.context("\(self.path): RNTuple '\(path)'")
    }
  }

  /// The class of the object at `path` (e.g. "TTree", "ROOT::RNTuple").
  public func className(of path: String) throws(ROOTError) -> String {
    try key(path: path).className
  }

  /// An envelope's payload (specification 1.0, "Envelopes"): decompressed, its type and length
  /// checked; the cursor starts after the 8-byte type-and-length word and stops before the
  /// checksum.
  func envelope(_ locator: Locator, length: Int, type: Int, _ what: String) throws(ROOTError)
    -> EnvelopeCursor
  {
    guard length >= 16, length <= locator.size &* 1100 + 65536 else {
      throw .corrupt("\(what) of \(length) bytes stored in \(locator.size)")
    }
    let stored = try file.read(at: locator.offset, count: locator.size, what)
    let bytes =
      locator.size == length
      ? stored : try Decompressor.decompress(stored[...], expected: length)
    // The last 8 bytes are the XXH3-64 of everything before them.
    var tail = EnvelopeCursor(bytes, offset: length - 8)
    guard XXHash.hash3(bytes[..<(length - 8)]) == (try tail.u64("\(what) checksum")) else {
      throw .corrupt("\(what): checksum (XXH3) mismatch")
    }
    var c = EnvelopeCursor(bytes)
    let word = try c.u64("\(what) type")
    guard Int(word & 0xFFFF) == type, Int(word >> 16) == length else {
      throw .corrupt(
        "\(what): envelope type \(word & 0xFFFF) of \(word >> 16) bytes, expected type \(type) of \(length)"
      )
    }
    c.limit = length - 8
    return c
  }
}
