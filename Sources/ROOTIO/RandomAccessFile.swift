internal import Glibc

/// A file read with pread(2): safe from several threads at once (no shared file offset).
final class RandomAccessFile: Sendable {
  let path: String
  let fd: Int32
  let size: Int

  init(path: String) throws(ROOTError) {
    self.path = path
    fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw ROOTError("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
      close(fd)
      throw ROOTError("\(path) is not a regular file")
    }
    size = Int(st.st_size)
  }

  deinit { close(fd) }

  /// Exactly `count` bytes at `offset`; a range outside the file is a corrupt-file error.
  func read(at offset: Int, count: Int, _ what: @autoclosure () -> String) throws(ROOTError)
    -> [UInt8]
  {
    guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
      throw ROOTError.corrupt(
        "\(what()) at byte \(offset) (\(count) bytes) lies outside the \(size)-byte file")
    }
    // Filled by pread below (or the call throws): no zero-filling first.
    var failure: ROOTError?
    let buffer = [UInt8](unsafeUninitializedCapacity: count) { raw, initialized in
      var done = 0
      while done < count {
        let n = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
        if n < 0, errno == EINTR { continue }
        guard n > 0 else {
          failure = ROOTError(
            "cannot read \(path) at byte \(offset + done): \(n == 0 ? "unexpected end of file" : String(cString: strerror(errno)))"
          )
          break
        }
        done += n
      }
      initialized = failure == nil ? count : 0
    }
    if let failure { throw failure }
    return buffer
  }
}
