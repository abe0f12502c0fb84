import Foundation
import Glibc

#if FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzSupport.Target
  ) -> CInt
#endif

/// What the fuzz targets share: turning libFuzzer's input into a file the real readers open
/// (an anonymous in-memory file, no disk), and the replay driver used when the targets are
/// built without `-sanitize=fuzzer` (plain `swift build`): it runs every file named on the
/// command line (or found in the directories named) through the target once, so the committed
/// corpora are regression tests.
public enum FuzzSupport {
  typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32
  /// glibc has it, but the Swift module map does not export it (it needs _GNU_SOURCE).
  static let memfdCreate: MemfdCreate = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else {
      fatalError("memfd_create is unavailable")
    }
    return unsafeBitCast(symbol, to: MemfdCreate.self)
  }()

  /// Bytes as `/proc/self/fd/N` of a memfd, valid for the duration of `body`.
  public static func withMemoryFile<R>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (String) -> R)
    -> R
  {
    let fd = memfdCreate("fuzz-input", 0)
    guard fd >= 0 else { fatalError("memfd_create: \(errno)") }
    defer { close(fd) }
    var written = 0
    while written < bytes.count {
      let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
      guard n > 0 else { fatalError("write: \(errno)") }
      written += n
    }
    return body("/proc/self/fd/\(fd)")
  }

  /// A scratch directory under /dev/shm (or /tmp), removed after `body`.
  public static func withDirectory<R>(_ body: (String) -> R) -> R {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : "/tmp"
    var template = Array("\(base)/fairflow-fuzz-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp: \(errno)") }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return body(path)
  }

  public typealias Target = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

  /// Every target's `main`. Built with `-DFUZZING` (and `-sanitize=fuzzer`), it hands the
  /// command line to libFuzzer's driver; otherwise it replays the files named on it.
  /// (SwiftPM links executables through their module's own entry point, so libFuzzer's `main`
  /// cannot be used directly; `LLVMFuzzerRunDriver` is its documented alternative.)
  public static func main(_ target: Target) -> Never {
    #if FUZZING
      var argc = CommandLine.argc
      var argv = CommandLine.unsafeArgv
      exit(LLVMFuzzerRunDriver(&argc, &argv, target))
    #else
      exit(replay(Array(CommandLine.arguments.dropFirst()), target))
    #endif
  }

  /// Runs `target` once on each file given (directories are walked); prints a count.
  public static func replay(
    _ arguments: [String], _ target: Target
  ) -> Int32 {
    var files: [String] = []
    for argument in arguments {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
        FileHandle.standardError.write(Data("no such file: \(argument)\n".utf8))
        return 2
      }
      if isDirectory.boolValue {
        let items = (try? FileManager.default.subpathsOfDirectory(atPath: argument)) ?? []
        for item in items.sorted() {
          var nested: ObjCBool = false
          let path = argument + "/" + item
          if FileManager.default.fileExists(atPath: path, isDirectory: &nested), !nested.boolValue {
            files.append(path)
          }
        }
      } else {
        files.append(argument)
      }
    }
    for file in files {
      let bytes = [UInt8](FileManager.default.contents(atPath: file) ?? Data())
      _ = bytes.withUnsafeBufferPointer { target($0.baseAddress, $0.count) }
    }
    print("replayed \(files.count) inputs")
    return 0
  }
}
