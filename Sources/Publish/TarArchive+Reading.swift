internal import Foundation

/// Reading a ustar archive (see ``TarArchive``) and unpacking it, for archives that came from
/// the network: every header's checksum is checked; only files, directories and symbolic links
/// are accepted (no hard links, devices, pax or GNU records); and nothing may land outside the
/// destination: no absolute names, no `..`, no entry below a symbolic link, no link whose target
/// leaves the destination, no entry written twice.
extension TarArchive {
  /// The entries of `bytes`, in archive order.
  public static func read(_ bytes: [UInt8]) throws(PublishError) -> [Entry] {
    var entries: [Entry] = []
    var offset = 0
    while offset + block <= bytes.count {
      let header = Array(bytes[offset..<(offset + block)])
      if header.allSatisfy({ $0 == 0 }) { return entries }
      let (entry, size) = try parse(header, at: offset, in: bytes)
      entries.append(entry)
      offset += block + (size + block - 1) / block * block
    }
    throw .invalidArchive("truncated: no end-of-archive block after \(entries.count) entries")
  }

  /// Reads `bytes` and creates its entries below `directory` (which must exist and be empty of
  /// the archive's names); refuses the whole archive before writing when an entry is unsafe.
  public static func extract(_ bytes: [UInt8], into directory: String) throws(PublishError) {
    let entries = try read(bytes)
    try checkPlacement(entries)
    for entry in entries {
      let path = directory + "/" + entry.path
      do {
        try FileManager.default.createDirectory(
          atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        switch entry.kind {
        case .directory:
          try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true)
        case .symlink(let target):
          try FileManager.default.createSymbolicLink(
            atPath: path, withDestinationPath: target)
        case .file(let content, let executable):
          guard
            FileManager.default.createFile(
              atPath: path, contents: Data(content),
              attributes: [.posixPermissions: executable ? 0o755 : 0o644])
          else { throw PublishError.io(path: path, detail: "cannot create the file") }
        }
      } catch {
        throw .io(path: path, detail: "\(error)")
      }
    }
  }

  /// Refuses entries that would escape the destination or collide, before anything is written.
  static func checkPlacement(_ entries: [Entry]) throws(PublishError) {
    var links: Set<String> = []
    var written: [String: Bool] = [:]  // path → is a directory
    for entry in entries {
      try checkName(entry.path)
      let parts = entry.path.split(separator: "/").map(String.init)
      for depth in 1..<max(1, parts.count) {
        let parent = parts[..<depth].joined(separator: "/")
        if links.contains(parent) {
          throw .invalidArchive(
            "\(entry.path) would be written through the symbolic link \(parent)")
        }
        if written[parent] == false {
          throw .invalidArchive("\(entry.path) would be written below the file \(parent)")
        }
      }
      let isDirectory = entry.kind == .directory
      if let known = written[entry.path], !(known && isDirectory) {
        throw .invalidArchive("\(entry.path) appears twice")
      }
      written[entry.path] = isDirectory
      if case .symlink(let target) = entry.kind {
        guard Self.staysInside(target, linkDepth: parts.count - 1) else {
          throw .invalidArchive(
            "the symbolic link \(entry.path) points outside the archive (\(target))")
        }
        links.insert(entry.path)
      }
    }
  }

  /// Whether `target`, resolved from a link `linkDepth` directories below the root, stays below
  /// the root (lexically; every link is checked the same way).
  static func staysInside(_ target: String, linkDepth: Int) -> Bool {
    guard !target.isEmpty, !target.hasPrefix("/"), !target.contains("\0") else { return false }
    var depth = linkDepth
    for part in target.split(separator: "/") {
      if part == ".." {
        depth -= 1
        if depth < 0 { return false }
      } else if part != "." {
        depth += 1
      }
    }
    return true
  }

  /// One header: the entry and its content size.
  static func parse(_ h: [UInt8], at offset: Int, in bytes: [UInt8]) throws(PublishError)
    -> (Entry, Int)
  {
    let context = "header at byte \(offset)"
    guard Array(h[257..<262]) == Array("ustar".utf8) else {
      throw .invalidArchive("\(context): not a ustar header")
    }
    let stored = try number(h[148..<156], context)
    var blanked = h
    blanked.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
    guard blanked.reduce(0, { $0 + Int($1) }) == stored else {
      throw .invalidArchive("\(context): checksum mismatch (damaged archive)")
    }
    let name = text(h[0..<100])
    let prefix = text(h[345..<500])
    var path = prefix.isEmpty ? name : prefix + "/" + name
    let size = try number(h[124..<136], context)
    let mode = try number(h[100..<108], context)
    guard offset + block + size <= bytes.count else {
      throw .invalidArchive("\(context): \(path) is cut short")
    }
    let kind: Entry.Kind
    switch h[156] {
    case 0x30, 0:
      let start = offset + block
      kind = .file(Array(bytes[start..<(start + size)]), executable: mode & 0o111 != 0)
    case 0x35:
      while path.hasSuffix("/") { path.removeLast() }
      kind = .directory
    case 0x32:
      kind = .symlink(target: text(h[157..<257]))
    case let type:
      throw .invalidArchive(
        "\(path): entry type '\(String(UnicodeScalar(type)))' is not supported (only files, "
          + "directories and symbolic links)")
    }
    try checkName(path)
    guard case .file = kind else { return (Entry(path: path, kind: kind), 0) }
    return (Entry(path: path, kind: kind), size)
  }

  static func text(_ field: ArraySlice<UInt8>) -> String {
    String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
  }

  /// An octal field: optional spaces, digits, then NUL or space.
  static func number(_ field: ArraySlice<UInt8>, _ context: String) throws(PublishError) -> Int {
    var value = 0
    var digits = 0
    for byte in field {
      if byte == 0x20 && digits == 0 { continue }
      if byte == 0 || byte == 0x20 { break }
      guard (0x30...0x37).contains(byte), digits < 12 else {
        throw .invalidArchive("\(context): malformed numeric field")
      }
      value = value * 8 + Int(byte - 0x30)
      digits += 1
    }
    return value
  }
}
