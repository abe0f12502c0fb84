internal import FairflowBase
internal import FairflowCore
internal import FairflowStore
internal import Glibc

/// The machine a run happened on: hostname, OS, kernel, CPU model, cores, memory.
/// Read once per run from uname(2), sysconf(3), /etc/os-release and /proc/cpuinfo.
enum HostFacts {
  static func collect() -> [(key: String, value: Value)] {
    var name = utsname()
    uname(&name)
    func field<T>(_ value: T) -> String {
      withUnsafeBytes(of: value) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
    }
    var hostname = [CChar](repeating: 0, count: 256)
    gethostname(&hostname, hostname.count - 1)
    let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    let memory = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    return [
      (
        "hostname",
        .string(
          String(decoding: hostname.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        )
      ),
      ("os", .string(osName() ?? field(name.sysname))),
      ("kernel", .string(field(name.sysname) + " " + field(name.release))),
      ("architecture", .string(field(name.machine))),
      ("cpu", cpuModel().map(Value.string) ?? .null),
      ("cores", .int(cores)),
      ("memory_bytes", .int(memory)),
    ]
  }

  /// PRETTY_NAME from /etc/os-release ("Debian GNU/Linux 12 (bookworm)").
  static func osName() -> String? {
    guard let text = try? FileIO.readText("/etc/os-release") else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
      var value = line.dropFirst("PRETTY_NAME=".count)
      if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
        value = value.dropFirst().dropLast()
      }
      return String(value)
    }
    return nil
  }

  /// The first "model name" of /proc/cpuinfo.
  static func cpuModel() -> String? {
    guard let text = try? FileIO.readText("/proc/cpuinfo") else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("model name") {
      if let colon = line.firstIndex(of: ":") {
        return line[line.index(after: colon)...].trimmed(" \t")
      }
    }
    return nil
  }
}

extension Substring {
  func trimmed(_ set: String) -> String {
    let chars = Set(set)
    var s = self[...]
    while let f = s.first, chars.contains(f) { s = s.dropFirst() }
    while let l = s.last, chars.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
