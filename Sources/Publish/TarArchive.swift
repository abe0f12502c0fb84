/// A POSIX ustar archive (POSIX.1-1988, IEEE 1003.1 `ustar` interchange format), written
/// deterministically and read defensively: the publish bundle's `reproduce/source.tar`.
///
/// Layout: one 512-byte header per entry, the file's bytes padded to 512, then two zero blocks,
/// the whole padded to a 10240-byte record (as `tar` and Python's `tarfile` do):
///
///     offset size  field                      written as
///       0    100   name                       NUL-padded; a directory ends in "/"
///     100      8   mode                       "%07o\0": 0644 / 0755 files, 0755 dirs, 0777 links
///     108      8   uid, 116 8 gid             "0000000\0" (uid and gid 0)
///     124     12   size                       "%011o\0" (0 for directories and links)
///     136     12   mtime                      "%011o\0": one time for every entry
///     148      8   chksum                     "%06o\0 ": byte sum of the header, this field blank
///     156      1   typeflag                   "0" file, "5" directory, "2" symbolic link
///     157    100   linkname                   the link target
///     257      8   magic, version             "ustar\0" "00"
///     265     64   uname, gname               empty
///     329     16   devmajor, devminor         NUL (no device entries)
///     345    155   prefix                     the leading directories of a name over 100 bytes
///
/// Why it is deterministic: entries sorted by path (bytes), fixed mtime (the commit's time), owner
/// 0/0 with no names, permissions reduced to the executable bit; the same tree gives the same
/// bytes, so a bundle stays byte-identical (they are the bytes Python's `tarfile` writes in
/// `USTAR_FORMAT` for the same members). A name is split at the first `/` that leaves at most
/// 155 bytes of prefix and 100 of name (Python's rule); names that cannot be split that way,
/// link targets over 100 bytes, files of 8 GiB or more, absolute names and `..` are refused: no
/// pax or GNU extensions. Reading (`TarArchive+Reading.swift`) refuses anything that could place
/// a file outside the destination.
public enum TarArchive {
  /// One member of an archive; `path` is relative and `/`-separated, with no trailing `/`.
  public struct Entry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
      case file([UInt8], executable: Bool)
      case directory
      case symlink(target: String)
    }

    public var path: String
    public var kind: Kind

    public init(path: String, kind: Kind) {
      self.path = path
      self.kind = kind
    }
  }

  static let block = 512
  static let record = 20 * 512

  /// The archive of `entries` (sorted by path here), every entry stamped with `mtime` (seconds
  /// since the epoch).
  public static func write(_ entries: [Entry], mtime: Int) throws(PublishError) -> [UInt8] {
    guard mtime >= 0, mtime < 1 << 33 else {
      throw .invalidArchive("modification time \(mtime) does not fit a ustar header")
    }
    var out: [UInt8] = []
    var previous: [UInt8]?
    for entry in entries.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes($1.path.utf8) })
    {
      let key = Array(entry.path.utf8)
      if key == previous { throw .invalidArchive("two entries named \(entry.path)") }
      previous = key
      try checkName(entry.path)
      out += try header(entry, mtime: mtime)
      if case .file(let bytes, _) = entry.kind {
        out += bytes
        out += [UInt8](repeating: 0, count: (block - bytes.count % block) % block)
      }
    }
    out += [UInt8](repeating: 0, count: 2 * block)
    out += [UInt8](repeating: 0, count: (record - out.count % record) % record)
    return out
  }

  /// A relative name without empty, `.` or `..` components, NUL or a trailing `/`.
  static func checkName(_ path: String) throws(PublishError) {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\0"),
      parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
    else { throw .invalidArchive("unsafe entry name '\(path)'") }
  }

  static func header(_ entry: Entry, mtime: Int) throws(PublishError) -> [UInt8] {
    var h = [UInt8](repeating: 0, count: block)
    let name: String
    let mode: Int
    var size = 0
    let type: UInt8
    var link = ""
    switch entry.kind {
    case .file(let bytes, let executable):
      (name, mode, size, type) = (entry.path, executable ? 0o755 : 0o644, bytes.count, 0x30)
    case .directory:
      (name, mode, type) = (entry.path + "/", 0o755, 0x35)
    case .symlink(let target):
      (name, mode, type, link) = (entry.path, 0o777, 0x32, target)
    }
    guard size < 1 << 33 else {
      throw .invalidArchive("\(entry.path) is 8 GiB or larger (no ustar size field for it)")
    }
    let (prefix, rest) = try split(name)
    put(Array(rest.utf8), at: 0, in: &h)
    put(octal(mode, width: 8), at: 100, in: &h)
    put(octal(0, width: 8), at: 108, in: &h)
    put(octal(0, width: 8), at: 116, in: &h)
    put(octal(size, width: 12), at: 124, in: &h)
    put(octal(mtime, width: 12), at: 136, in: &h)
    h[156] = type
    guard link.utf8.count <= 100, !link.contains("\0") else {
      throw .invalidArchive("the link target of \(entry.path) is longer than 100 bytes")
    }
    put(Array(link.utf8), at: 157, in: &h)
    put(Array("ustar\0".utf8) + Array("00".utf8), at: 257, in: &h)
    put(Array(prefix.utf8), at: 345, in: &h)
    put(Array(repeating: 0x20, count: 8), at: 148, in: &h)
    let sum = h.reduce(0) { $0 + Int($1) }
    put(Array(String(sum, radix: 8).leftPadded(to: 6).utf8) + [0, 0x20], at: 148, in: &h)
    return h
  }

  /// `name` as (prefix, name): the whole name when it fits 100 bytes, else split at the first
  /// `/` that makes both parts fit.
  static func split(_ name: String) throws(PublishError) -> (String, String) {
    let bytes = Array(name.utf8)
    if bytes.count <= 100 { return ("", name) }
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "/") {
      let prefix = bytes[..<index]
      let rest = bytes[(index + 1)...]
      if prefix.count <= 155, rest.count <= 100 {
        return (String(decoding: prefix, as: UTF8.self), String(decoding: rest, as: UTF8.self))
      }
    }
    throw .invalidArchive(
      "the name \(name) does not fit a ustar header (at most 155 bytes of directories and 100 "
        + "of name)")
  }

  /// `value` in octal, zero-padded to `width - 1` digits and NUL-terminated.
  static func octal(_ value: Int, width: Int) -> [UInt8] {
    Array(String(value, radix: 8).leftPadded(to: width - 1).utf8) + [0]
  }

  static func put(_ bytes: [UInt8], at offset: Int, in header: inout [UInt8]) {
    header.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
