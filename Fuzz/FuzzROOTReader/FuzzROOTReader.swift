import FuzzSupport
import ROOTIO

/// libFuzzer target: the native ROOT reader. Opens the input as a ROOT file, lists every key,
/// and reads every readable branch of every tree and every readable field of every RNTuple
/// (whole, and a range that starts mid-cluster). Errors are expected; crashes, leaks,
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
    for entry in entries where entry.isRNTuple {
      guard let ntuple = try? file.rntuple(entry.path), ntuple.entries <= 1_000_000 else {
        continue
      }
      for field in ntuple.fields where field.isReadable {
        _ = try? ntuple.read(field.name)
        _ = try? ntuple.read(field.name, entries: ntuple.entries / 2..<ntuple.entries)
      }
    }
  }
  return 0
}

@main struct Main {
  static func main() { FuzzSupport.main(fuzzROOTReader) }
}
