/// ROOT object-stream primitives (reference §1.6): byte-count + version headers, TObject,
/// TNamed, TObjArray and polymorphic "object-any" pointers with class tags and references.
enum ObjectStream {
  static let byteCountMask: UInt32 = 0x4000_0000
  static let newClassTag: UInt32 = 0xFFFF_FFFF
  static let classMask: UInt32 = 0x8000_0000

  /// A class part's version and, when a byte count was written, the offset where it ends.
  struct Header {
    var version: Int
    var end: Int?
  }

  static func header(_ c: inout Cursor, _ what: String) throws(ROOTError) -> Header {
    let start = c.offset
    let word = try c.u32("\(what) byte count")
    if word & byteCountMask != 0 {
      let end = start + 4 + Int(word & ~byteCountMask)
      guard end <= c.bytes.count else {
        throw .corrupt("\(what) claims \(word & ~byteCountMask) bytes past the end of its record")
      }
      var version = Int(try c.u16("\(what) version"))
      if version == 0 { _ = try c.u32("\(what) checksum") }  // foreign class: version 0 + checksum
      if version & 0x4000 != 0 { version &= ~0x4000 }
      // Parsing only ever moves forward: a count ending before its own header is corrupt.
      guard end >= c.offset else { throw .corrupt("\(what) byte count \(word & ~byteCountMask)") }
      return Header(version: version, end: end)
    }
    c.offset = start
    return Header(version: Int(try c.u16("\(what) version")), end: nil)
  }

  /// Moves to the end of a part that has a byte count (no-op otherwise).
  static func skip(to header: Header, _ c: inout Cursor) {
    if let end = header.end { c.offset = end }
  }

  static func object(_ c: inout Cursor) throws(ROOTError) {
    let version = try c.u16("TObject version")
    if version & 0x4000 != 0 { try c.skip(4, "TObject") }
    _ = try c.u32("TObject fUniqueID")
    let bits = try c.u32("TObject fBits")
    if bits & 0x10 != 0 { _ = try c.u16("TObject pidf") }
  }

  /// TNamed: returns (name, title) and leaves the cursor after it.
  static func named(_ c: inout Cursor) throws(ROOTError) -> (String, String) {
    let h = try header(&c, "TNamed")
    try object(&c)
    let name = try c.tstring("name")
    let title = try c.tstring("title")
    skip(to: h, &c)
    return (name, title)
  }

  /// One element of a TObjArray or a pointer member.
  enum Pointer {
    case null
    /// A reference to an object already read, by its buffer position + 2.
    case reference(Int)
    /// A new object of `className`; the cursor is at its body, which ends at `end` when known.
    case object(className: String, position: Int, end: Int?)
  }

  static func pointer(_ c: inout Cursor) throws(ROOTError) -> Pointer {
    let beg = c.position
    let begOffset = c.offset
    let w1 = try c.u32("object pointer")
    var tag = w1
    var end: Int?
    var tagPosition = beg
    if w1 & byteCountMask != 0 && w1 != newClassTag {
      end = begOffset + 4 + Int(w1 & ~byteCountMask)
      guard end! <= c.bytes.count, end! >= begOffset + 8 else {
        throw .corrupt("object byte count \(w1 & ~byteCountMask)")
      }
      tagPosition = c.position
      tag = try c.u32("class tag")
    }
    if tag & classMask == 0 {
      if let end { c.offset = end }
      return tag == 0 ? .null : .reference(Int(tag))
    }
    let className: String
    if tag == newClassTag {
      className = try c.cstring()
    } else {
      className = try classNameAt(position: Int(tag & ~classMask), in: c)
    }
    _ = tagPosition
    return .object(className: className, position: beg + 2, end: end)
  }

  /// Resolves a class reference by looking back at the new-class tag it points to (the bytes at
  /// `position - 2` are FF FF FF FF and the class name).
  static func classNameAt(position: Int, in c: Cursor) throws(ROOTError) -> String {
    var look = Cursor(c.bytes, offset: 0, origin: c.origin)
    try look.seek(position: position - 2, "class reference")
    guard try look.u32("class tag") == newClassTag else {
      throw .corrupt("class reference \(position) does not point at a class name")
    }
    return try look.cstring()
  }

  /// A TObjArray: calls `element` for each slot with the cursor at the element.
  static func objArray(
    _ c: inout Cursor, _ what: String, element: (inout Cursor, Pointer) throws(ROOTError) -> Void
  ) throws(ROOTError) {
    let h = try header(&c, what)
    try object(&c)
    _ = try c.tstring("\(what) name")
    let n = try c.count("\(what) size")
    _ = try c.i32("\(what) lower bound")
    guard n <= c.remaining / 4 else { throw .corrupt("\(what) claims \(n) elements") }
    for _ in 0..<n {
      let p = try pointer(&c)
      try element(&c, p)
    }
    if let end = h.end, c.offset != end {
      throw .corrupt("\(what) ends at \(c.offset), its byte count says \(end)")
    }
  }
}
