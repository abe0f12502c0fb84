internal import Glibc
internal import Foundation

/// A BagIt bag (RFC 8493, doi-apis.md §11) as read from disk, not yet verified:
///
/// ```
/// <bag>/bagit.txt              BagIt-Version: 1.0 / Tag-File-Character-Encoding: UTF-8 (no BOM)
///       bag-info.txt           Label: value, continued on indented lines (Payload-Oxum, …)
///       manifest-<alg>.txt     <hex> <path>   (split once: paths may contain spaces)
///       tagmanifest-<alg>.txt  the same, for tag files
///       fetch.txt              <url> <length|-> <path>
///       data/…                 the payload
/// ```
///
/// Paths decode only `%0A`, `%0D` and `%25` and must stay inside the bag (§11.3: bdbag decoded
/// everything and checked before decoding, letting `data/%2E%2E/…` escape).
struct BagContents: Sendable {
  struct FetchEntry: Sendable, Equatable {
    var url: String
    var length: Int64?
    var path: String
  }

  var root: URL
  var version: String
  var info: [(label: String, value: String)]
  /// Algorithm → (path → lowercase hex), paths relative to the bag root (`data/…`).
  var payloadManifests: [ChecksumAlgorithm: [String: String]]
  var tagManifests: [ChecksumAlgorithm: [String: String]]
  var fetch: [FetchEntry]

  static let versions: Set<String> = ["0.93", "0.94", "0.95", "0.96", "0.97", "1.0"]

  /// The first value of `label` in bag-info.txt (labels compare case-insensitively).
  func info(_ label: String) -> String? {
    info.first { $0.label.caseInsensitiveCompare(label) == .orderedSame }?.value
  }

  /// Every path any payload manifest lists, sorted.
  var manifestPaths: [String] {
    Set(payloadManifests.values.flatMap(\.keys)).sorted()
  }

  static func read(at root: URL) throws -> BagContents {
    // Foundation drops a BOM while decoding, so look at the bytes.
    let head = readBytes(root.appendingPathComponent("bagit.txt").path)
    if head?.starts(with: [0xEF, 0xBB, 0xBF]) == true {
      throw FetchError.invalidBag("bagit.txt starts with a byte-order mark")
    }
    let bagit = try text(root, "bagit.txt", required: true)!
    let declaration = tagFields(bagit)
    guard let version = declaration.first(where: { $0.label == "BagIt-Version" })?.value,
      versions.contains(version)
    else {
      throw FetchError.invalidBag("bagit.txt: no supported BagIt-Version (0.93 to 1.0)")
    }
    guard
      declaration.first(where: { $0.label == "Tag-File-Character-Encoding" })?.value
        .uppercased() == "UTF-8"
    else { throw FetchError.invalidBag("bagit.txt: Tag-File-Character-Encoding must be UTF-8") }
    var bag = BagContents(
      root: root, version: version, info: tagFields(try text(root, "bag-info.txt") ?? ""),
      payloadManifests: [:], tagManifests: [:], fetch: [])
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    for name in names.sorted() {
      for (prefix, isTag) in [("manifest-", false), ("tagmanifest-", true)]
      where name.hasPrefix(prefix) && name.hasSuffix(".txt") {
        let algorithmName = String(name.dropFirst(prefix.count).dropLast(4))
        guard let algorithm = ListingChecksum.algorithm(named: algorithmName),
          algorithm != .adler32
        else { continue }  // an algorithm fairflow cannot check; RFC 8493 §2.4 lets it pass
        let entries = try manifest(try text(root, name)!, name: name, tags: isTag)
        if isTag {
          bag.tagManifests[algorithm] = entries
        } else {
          bag.payloadManifests[algorithm] = entries
        }
      }
    }
    if bag.payloadManifests.isEmpty {
      throw FetchError.invalidBag("no payload manifest (manifest-sha256.txt, …) fairflow can read")
    }
    bag.fetch = try fetchEntries(try text(root, "fetch.txt") ?? "")
    return bag
  }

  /// `CHECKSUM PATH` lines: split once on whitespace, optional `*` before the path.
  static func manifest(_ text: String, name: String, tags: Bool) throws -> [String: String] {
    var entries: [String: String] = [:]
    for (number, line) in lines(text).enumerated() where !line.isEmpty {
      let fields = splitOnce(line)
      guard let hex = fields.first, let rawPath = fields.second, !rawPath.isEmpty else {
        throw FetchError.invalidBag("\(name) line \(number + 1): expected \"checksum path\"")
      }
      var path = rawPath
      if path.hasPrefix("*") { path.removeFirst() }
      path = try payloadPath(decode(path))
      guard tags != path.hasPrefix("data/") else {
        throw FetchError.invalidBag(
          "\(name) line \(number + 1): \(path) " + (tags ? "is payload" : "is not under data/"))
      }
      guard entries[path] == nil else {
        throw FetchError.invalidBag("\(name) lists \(path) twice")
      }
      entries[path] = hex.lowercased()
    }
    return entries
  }

  /// `URL LENGTH PATH` lines, the path possibly with spaces.
  static func fetchEntries(_ text: String) throws -> [FetchEntry] {
    try lines(text).enumerated().filter { !$0.element.isEmpty }.map { number, line in
      let first = splitOnce(line)
      let second = splitOnce(first.second ?? "")
      guard let url = first.first, let length = second.first, let path = second.second,
        !path.isEmpty
      else {
        throw FetchError.invalidBag("fetch.txt line \(number + 1): expected \"url length path\"")
      }
      guard length == "-" || Int64(length) != nil else {
        throw FetchError.invalidBag("fetch.txt line \(number + 1): bad length \(length)")
      }
      let decoded = try payloadPath(decode(path))
      guard decoded.hasPrefix("data/") else {
        throw FetchError.invalidBag("fetch.txt line \(number + 1): \(decoded) is not under data/")
      }
      return FetchEntry(url: url, length: Int64(length), path: decoded)
    }
  }

  /// Decodes only `%0A`, `%0D` and `%25` (RFC 8493 §2.1.3); everything else stays literal.
  static func decode(_ path: String) -> String {
    guard path.contains("%") else { return path }
    var out = ""
    var rest = Substring(path)
    while let percent = rest.firstIndex(of: "%") {
      out += rest[..<percent]
      let code = rest[percent...].prefix(3).uppercased()
      switch code {
      case "%0A": out += "\n"
      case "%0D": out += "\r"
      case "%25": out += "%"
      default: out += rest[percent...].prefix(3)
      }
      rest = rest[percent...].dropFirst(3)
    }
    return out + rest
  }

  /// A safe relative path inside the bag, else ``FetchError/unsafePath(_:)``.
  static func payloadPath(_ path: String) throws -> String {
    try ListingPath.validated(path)
  }

  /// `Label: value` lines; indented lines continue the previous value.
  static func tagFields(_ text: String) -> [(label: String, value: String)] {
    var fields: [(label: String, value: String)] = []
    for line in lines(text) where !line.isEmpty {
      if line.first == " " || line.first == "\t", !fields.isEmpty {
        fields[fields.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
      } else if let colon = line.firstIndex(of: ":") {
        fields.append(
          (
            String(line[..<colon]).trimmingCharacters(in: .whitespaces),
            String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
          ))
      }
    }
    return fields
  }

  private static func lines(_ text: String) -> [String] {
    // "\r\n" is one Character in Swift; CR, LF and CRLF all end a line (RFC 8493 §2.1).
    text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
      .map(String.init)
  }

  /// The text before the first run of spaces or tabs, and the rest after it.
  private static func splitOnce(_ line: String) -> (first: String?, second: String?) {
    guard let gap = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
      return (line.isEmpty ? nil : line, nil)
    }
    let rest = line[gap...].drop { $0 == " " || $0 == "\t" }
    return (String(line[..<gap]), String(rest))
  }

  private static func text(_ root: URL, _ name: String, required: Bool = false) throws -> String? {
    let url = root.appendingPathComponent(name)
    guard let data = readBytes(url.path) else {
      if required { throw FetchError.invalidBag("\(name) is missing in \(root.path)") }
      return nil
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw FetchError.invalidBag("\(name) is not UTF-8")
    }
    return text
  }

  /// A tag file's bytes, or nil when it cannot be opened. (Plain POSIX reads:
  /// `FileManager.contents(atPath:)` leaked a 4 KiB buffer per empty file under LeakSanitizer.)
  static func readBytes(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n < 0 { return nil }
      if n == 0 { return bytes }
      bytes += buffer[0..<n]
    }
  }

  /// Regular files under `data/`, relative to the bag root; links are refused (they could point
  /// anywhere).
  func payloadFiles() throws -> [String: Int64] {
    let data = root.appendingPathComponent("data")
    var files: [String: Int64] = [:]
    guard let walker = FileManager.default.enumerator(atPath: data.path) else { return files }
    while let relative = walker.nextObject() as? String {
      let attributes = try FileManager.default.attributesOfItem(
        atPath: data.appendingPathComponent(relative).path)
      let type = attributes[.type] as? FileAttributeType
      if type == .typeSymbolicLink {
        throw FetchError.invalidBag("data/\(relative) is a symbolic link")
      }
      if type == .typeRegular {
        files["data/" + relative] = (attributes[.size] as? NSNumber)?.int64Value ?? 0
      }
    }
    return files
  }
}
