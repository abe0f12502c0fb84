internal import CHDF5

/// Reading and clearing HDF5's error stack, so failures become `HDF5Error`s instead of text
/// printed to stderr.
enum ErrorStack {
  /// The descriptions on the current thread's error stack, outermost (the API call) first, and
  /// clears it. Call while holding `HDF5Library`'s lock, right after the failing call.
  static func drain() -> [String] {
    var messages: [String] = []
    withUnsafeMutablePointer(to: &messages) { pointer in
      _ = H5Ewalk2(
        chdf5_e_default(), H5E_WALK_DOWNWARD,
        { _, entry, client in
          guard let entry, let client, let text = entry.pointee.desc else { return 0 }
          client.assumingMemoryBound(to: [String].self).pointee.append(String(cString: text))
          return 0
        }, pointer)
    }
    _ = H5Eclear2(chdf5_e_default())
    return messages
  }

  /// One line from the stack: the API function's message and, when different, the innermost
  /// cause ("unable to open file (unable to open file: name = 'x.h5', errno = 2, …)").
  static func summary(_ messages: [String]) -> String {
    guard let outer = messages.first, let inner = messages.last else {
      return "libhdf5 reported an error without a message"
    }
    return outer == inner ? outer : "\(outer) (\(inner))"
  }
}

/// Where an object lives, for error messages: the file and the path inside it.
struct Location {
  var file: String
  /// "/group/data"; nil for the file itself.
  var path: String?

  /// The location of `name` relative to this group ("a/b" or absolute "/a/b").
  func appending(_ name: String) -> Location {
    if name.hasPrefix("/") { return Location(file: file, path: name) }
    let base = path ?? "/"
    return Location(file: file, path: base.hasSuffix("/") ? base + name : base + "/" + name)
  }

  /// An error from the wrapper's own checks.
  func error(
    _ kind: HDF5Error.Kind, _ operation: String, _ detail: String, hint: String? = nil
  ) -> HDF5Error {
    HDF5Error(
      kind: kind, operation: operation, file: file, object: path, detail: detail, hint: hint)
  }

  /// An error for a failed libhdf5 call, with the text from HDF5's error stack (cleared).
  func failure(_ operation: String, hint: String? = nil) -> HDF5Error {
    error(.library, operation, ErrorStack.summary(ErrorStack.drain()), hint: hint)
  }
}
