public import FairflowCore

/// How a Slurm job ended (or where it stands), read from `sacct`, `sacct --completion` or
/// `scontrol show job`.
public struct SlurmJobRecord: Sendable, Equatable {
  public var id: String
  /// The state word as Slurm prints it (`COMPLETED`, `CANCELLED`, ...; `CANCELLED by 0` → `CANCELLED`).
  public var state: String
  /// The state as printed in full (`CANCELLED by 0`).
  public var rawState: String
  public var exitCode: Int32?
  public var signal: Int32?
  public var nodes: String
  public var reason: String

  public init(
    id: String, state: String, exitCode: Int32? = nil, signal: Int32? = nil, nodes: String = "",
    reason: String = "", rawState: String? = nil
  ) {
    self.id = id
    self.state = SlurmStatus.stateWord(state)
    self.rawState = rawState ?? state
    self.exitCode = exitCode
    self.signal = signal
    self.nodes = nodes == "None assigned" || nodes == "(null)" ? "" : nodes
    self.reason = reason == "None" || reason == "(null)" ? "" : reason
  }
}

/// Parsing of Slurm's client output and the mapping of final job states to stage outcomes.
/// Pure: no Slurm needed to test it.
public enum SlurmStatus {
  /// `squeue -h -o %i|%T|%N|%r` output: job id → (state, nodes).
  public static let squeueFormat = "%i|%T|%N|%r"
  /// Fields asked of `sacct -n -P -o …`.
  public static let sacctFields = "JobIDRaw,State,ExitCode,NodeList"

  /// The first word, without `+` (`CANCELLED by 0`, `CANCELLED+` → `CANCELLED`).
  static func stateWord(_ state: String) -> String {
    let word = state.split(separator: " ").first.map(String.init) ?? state
    return word.hasSuffix("+") ? String(word.dropLast()) : word
  }

  /// Jobs `squeue` lists (pending, running, completing, ...).
  public static func parseSqueue(_ output: String) -> [String: SlurmJobRecord] {
    var jobs: [String: SlurmJobRecord] = [:]
    for line in output.split(separator: "\n") {
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.slurmTrimmed()
      }
      guard fields.count >= 2, !fields[0].isEmpty else { continue }
      jobs[fields[0]] = SlurmJobRecord(
        id: fields[0], state: fields[1], nodes: fields.count > 2 ? fields[2] : "",
        reason: fields.count > 3 ? fields[3] : "")
    }
    return jobs
  }

  /// `sacct -n -P -o JobIDRaw,State,ExitCode,NodeList` output (also with `--completion`). Job steps
  /// (`42.batch`) are skipped; the job's own line carries its state.
  public static func parseSacct(_ output: String) -> [String: SlurmJobRecord] {
    var jobs: [String: SlurmJobRecord] = [:]
    for line in output.split(separator: "\n") {
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.slurmTrimmed()
      }
      guard fields.count >= 3, !fields[0].isEmpty, !fields[0].contains(".") else { continue }
      let (code, signal) = exitCode(fields[2])
      jobs[fields[0]] = SlurmJobRecord(
        id: fields[0], state: fields[1], exitCode: code, signal: signal,
        nodes: fields.count > 3 ? fields[3] : "")
    }
    return jobs
  }

  /// `scontrol show job -o ID` output: `Key=Value` pairs on one line per job.
  public static func parseScontrol(_ output: String) -> [String: SlurmJobRecord] {
    var jobs: [String: SlurmJobRecord] = [:]
    for line in output.split(separator: "\n") {
      var fields: [String: String] = [:]
      for token in line.split(separator: " ") {
        guard let equals = token.firstIndex(of: "=") else { continue }
        let key = String(token[..<equals])
        if fields[key] == nil { fields[key] = String(token[token.index(after: equals)...]) }
      }
      guard let id = fields["JobId"], let state = fields["JobState"] else { continue }
      let (code, signal) = exitCode(fields["ExitCode"] ?? "")
      jobs[id] = SlurmJobRecord(
        id: id, state: state, exitCode: code, signal: signal, nodes: fields["NodeList"] ?? "",
        reason: fields["Reason"] ?? "")
    }
    return jobs
  }

  /// `1:0` → (1, 0); `0:9` → (0, 9).
  static func exitCode(_ text: String) -> (Int32?, Int32?) {
    let parts = text.split(separator: ":")
    guard parts.count == 2, let code = Int32(parts[0]), let signal = Int32(parts[1]) else {
      return (nil, nil)
    }
    return (code, signal)
  }

  /// States a job is still in while `squeue` lists it.
  public static let activeStates: Set<String> = [
    "PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD",
    "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD",
  ]

  /// What Slurm's jobacct_gather memory enforcement (no cgroups) writes into a job's log when
  /// it kills the job; Slurm then records FAILED rather than OUT_OF_MEMORY.
  static let memoryKillMarkers = ["Exceeded job memory limit", "exceeded memory limit"]

  /// The stage outcome of a finished job. `logTail` is the end of the job's log (to recognise a
  /// memory kill Slurm recorded as FAILED); `resources` give the limits named in the message.
  public static func outcome(
    of record: SlurmJobRecord, resources: Resources, settings: SlurmSettings, logTail: String = ""
  ) -> StageOutcome {
    let place = record.nodes.isEmpty ? "" : " on \(record.nodes)"
    let job = "Slurm job \(record.id)"
    let exitStatus = record.signal == 0 ? record.exitCode : nil
    var state = record.state
    var note = ""
    if state == "FAILED", memoryKillMarkers.contains(where: logTail.contains) {
      state = "OUT_OF_MEMORY"
      note = " (Slurm recorded FAILED; its log says the job exceeded its memory limit)"
    }
    let ended = "\(job)\(place) ended \(state)\(note)"
    switch state {
    case "COMPLETED":
      if exitStatus == 0 || exitStatus == nil { return .exited(0) }
      return .failed(reason: "\(ended) with exit status \(exitStatus!)", exitStatus: exitStatus)
    case "FAILED":
      if let code = exitStatus, code != 0 {
        return .failed(reason: "\(ended): exit status \(code)", exitStatus: code)
      }
      if let signal = record.signal, signal != 0 {
        return .failed(reason: "\(ended): killed by signal \(signal)", exitStatus: nil)
      }
      let why = record.reason.isEmpty ? "" : " (\(record.reason))"
      return .failed(reason: "\(ended)\(why)", exitStatus: exitStatus)
    case "TIMEOUT":
      let limit = (resources.timeSeconds ?? settings.defaultTimeSeconds).map {
        " of \(TimeLimit.slurmText($0))"
      }
      return .failed(
        reason:
          "\(ended): it ran past its time limit\(limit ?? " (the partition's default)"); raise resources: {time: ...}",
        exitStatus: nil)
    case "OUT_OF_MEMORY":
      let limit = resources.memoryBytes.map { " of \(SlurmBatch.memoryText($0))" }
      return .failed(
        reason:
          "\(ended): it used more memory than its limit\(limit ?? " (the cluster's default)"); raise resources: {memory: ...}",
        exitStatus: nil)
    case "CANCELLED":
      let by = record.rawState.split(separator: " ").dropFirst().joined(separator: " ")
      return .failed(
        reason:
          "\(ended)\(by.isEmpty ? "" : " (\(by))"): scancel, an administrator or Slurm stopped it",
        exitStatus: nil)
    case "NODE_FAIL":
      return .failed(
        reason: "\(ended): the node failed while running it; run again to resubmit",
        exitStatus: nil)
    case "UNKNOWN":
      return .failed(
        reason: "\(job) left the queue, but neither sacct nor scontrol knows how it ended",
        exitStatus: nil)
    default:
      let why = record.reason.isEmpty ? "" : " (\(record.reason))"
      return .failed(reason: "\(ended)\(why)", exitStatus: exitStatus)
    }
  }
}

/// Poll intervals that start short (short jobs finish fast) and grow geometrically to a
/// ceiling, so a long run does not hammer the controller; reset when new jobs are submitted.
public struct PollBackoff: Sendable, Equatable {
  public var initial: Double
  public var factor: Double
  public var maximum: Double
  public private(set) var current: Double

  public init(initial: Double = 0.5, factor: Double = 1.5, maximum: Double = 15) {
    self.initial = max(0.01, initial)
    self.factor = max(1, factor)
    self.maximum = max(self.initial, maximum)
    self.current = self.initial
  }

  /// The interval to wait now; the following one grows.
  public mutating func next() -> Double {
    let interval = current
    current = min(maximum, current * factor)
    return interval
  }

  public mutating func reset() { current = initial }
}
