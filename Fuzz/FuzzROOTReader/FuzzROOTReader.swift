import FuzzSupport
import ROOTIO

/// libFuzzer target: the native ROOT reader. Opens the input as a ROOT file, lists every key,
/// and reads every readable branch of every tree. Errors are expected; crashes, leaks,
/// timeouts and runaway allocations are findings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzROOTReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  FuzzSupport.withMemoryFile(UnsafeBufferPointer(start: data, count: size)) { path in
    guard let file = try? ROOTFile(path: path), let entries = try? file.entries() else { return }
    _ = try? file.outline()
    for entry in entries where entry.isTree {
      guard let tree = try? file.tree(entry.path) else { continue }
      for branch in tree.allBranches where branch.isReadable {
        _ = try? tree.read(branch.name, entries: 0..<min(tree.entries, 100_000))
      }
    }
  }
  return 0
}

@main struct Main {
  static func main() { FuzzSupport.main(fuzzROOTReader) }
}
