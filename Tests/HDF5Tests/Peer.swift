import FairflowTesting
import Foundation
import Testing

/// h5py, the independent implementation the wrapper is checked against.
enum H5Py {
  /// Runs `script` with the venv's Python in `directory` and returns what it printed; nil when
  /// there is no interpreter (an issue when the peers are required, as in CI) or it failed.
  static func run(_ script: String, in directory: String) throws -> String? {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required {
        Issue.record("no Python with h5py (.venv): run scripts/install-deps")
      }
      return nil
    }
    let output = try Shell.run(
      [python, "-c", script], in: directory, environment: ["PYTHONIOENCODING": "utf-8"])
    guard output.status == 0 else {
      Issue.record("h5py script failed (\(output.status)):\n\(output.stderr)")
      return nil
    }
    return output.stdout
  }
}

/// The bytes of `values` in memory (little-endian here) as hex, like numpy's `tobytes().hex()`.
func hex<T>(_ values: [T]) -> String {
  values.withUnsafeBytes { bytes in
    bytes.map { byte in
      let digits = String(byte, radix: 16)
      return digits.count == 1 ? "0" + digits : digits
    }.joined()
  }
}

/// A shape as Python prints a tuple: "(2, 4)", "(8,)", "()".
func pythonTuple(_ shape: [Int]) -> String {
  shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// What the process writes to its standard error while `body` runs (fd 2 goes to a file).
/// Other tests running meanwhile may add their own lines; callers look for HDF5's.
func capturingStandardError(_ body: () throws -> Void) throws -> String {
  let path = FileManager.default.temporaryDirectory.path + "/hdf5-stderr-\(UUID().uuidString)"
  defer { try? FileManager.default.removeItem(atPath: path) }
  let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  try #require(file >= 0)
  let saved = dup(2)
  dup2(file, 2)
  defer {
    dup2(saved, 2)
    close(saved)
    close(file)
  }
  try body()
  return try String(contentsOfFile: path, encoding: .utf8)
}
