import Foundation
import Fetch
import FuzzSupport

/// libFuzzer target: the BagIt parser and validator. The input is split at NUL bytes into the
/// files of one bag — bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt,
/// fetch.txt, data/payload.txt — which are written to a scratch directory and validated
/// (checksums included). Paths in manifests and fetch.txt must never escape the bag.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBagIt(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = UnsafeBufferPointer(start: data, count: size)
  let parts = bytes.split(separator: 0, maxSplits: 5, omittingEmptySubsequences: false)
  let names = [
    "bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt", "fetch.txt",
    "data/payload.txt",
  ]
  FuzzSupport.withDirectory { directory in
    let bag = directory + "/bag"
    try? FileManager.default.createDirectory(
      atPath: bag + "/data", withIntermediateDirectories: true)
    for (name, part) in zip(names, parts) {
      _ = FileManager.default.createFile(atPath: bag + "/" + name, contents: Data(part))
    }
    _ = try? BagValidator().validate(URL(fileURLWithPath: bag))
    // Nothing may have been written outside the bag.
    let escaped = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    if escaped != ["bag"] { fatalError("the validator wrote outside the bag: \(escaped)") }
  }
  return 0
}

@main struct Main {
  static func main() { FuzzSupport.main(fuzzBagIt) }
}
