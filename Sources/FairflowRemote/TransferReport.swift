public import FairflowBase

/// What a push or pull did, for the summary line, `--json` and the exit status.
public struct TransferReport: Sendable {
  public enum Direction: String, Sendable { case push, pull }

  public var direction: Direction
  public var remote: String
  /// Distinct objects behind the selected lock entries (files and directory manifests).
  public var objects = 0
  /// Objects sent (push) or received and verified (pull), and their bytes.
  public var transferred = 0
  public var bytes = 0
  /// Objects already on the other side.
  public var present = 0
  public var runEntriesTransferred = 0
  public var runEntriesPresent = 0
  /// Outputs whose objects this side lacks: `stage: path` (push: not in the local cache; pull:
  /// not on the remote).
  public var unavailable: [String] = []
  /// Objects or entries that failed, one message each.
  public var failures: [String] = []
  /// Outputs placed in the workspace (pull), already in place, and left alone (modified).
  public var checkedOut = 0
  public var inPlace = 0
  public var notCheckedOut: [String] = []
  public var seconds = 0.0

  public init(direction: Direction, remote: String) {
    self.direction = direction
    self.remote = remote
  }

  public var succeeded: Bool { failures.isEmpty && unavailable.isEmpty && notCheckedOut.isEmpty }

  public var json: Value {
    var fields: [(key: String, value: Value)] = [
      ("direction", .string(direction.rawValue)), ("remote", .string(remote)),
      ("objects", .int(objects)), ("transferred", .int(transferred)), ("bytes", .int(bytes)),
      ("present", .int(present)), ("run_entries_transferred", .int(runEntriesTransferred)),
      ("run_entries_present", .int(runEntriesPresent)), ("schema", .int(1)),
      ("unavailable", .list(unavailable.map(Value.string))),
      ("failures", .list(failures.map(Value.string))),
      ("seconds", .double((seconds * 1000).rounded() / 1000)),
    ]
    if direction == .pull {
      fields += [
        ("checked_out", .int(checkedOut)), ("in_place", .int(inPlace)),
        ("not_checked_out", .list(notCheckedOut.map(Value.string))),
      ]
    }
    return .map(fields)
  }
}
