public import FairflowCore

/// Turns a `Job` (what the local executor would spawn) into an `sbatch` submission: a batch script
/// that sets the job's environment, enters the workspace and `exec`s exactly the same argv, and
/// the `sbatch` arguments that carry the stage's `resources:` and the pipeline's `slurm:` section.
///
/// Shared filesystem: the job runs in the workspace directory on the compute node and writes its
/// outputs there, and the log goes to the same `cache/logs/RUN/STAGE.log` path. fairflow then
/// hashes and stores those outputs on the submitting machine, so both must see the same files.
public enum SlurmBatch {
  /// The job name Slurm shows for a stage (`squeue`, `sacct`).
  public static func jobName(stage: String) -> String { "fairflow:" + stage }

  /// The batch script. `executable` replaces an `arguments[0]` of `/proc/self/exe` (which would
  /// name the shell on the compute node) with fairflow's real path.
  public static func script(for job: Job, run: String?, executable: String?) -> String {
    var arguments = job.arguments
    if arguments.first == "/proc/self/exe", let executable { arguments[0] = executable }
    var lines = [
      "#!/bin/sh",
      "# fairflow stage \(job.stage)\(run.map { " of run \($0)" } ?? ""), submitted by the Slurm executor.",
    ]
    for variable in job.environment {
      lines.append("export \(variable.name)=\(shellQuoted(variable.value))")
    }
    lines.append("cd \(shellQuoted(job.workingDirectory)) || exit 1")
    lines.append("exec " + arguments.map(shellQuoted).joined(separator: " "))
    return lines.joined(separator: "\n") + "\n"
  }

  /// `sbatch` arguments (without the program name) for `job` whose script is at `scriptPath`.
  public static func arguments(
    for job: Job, resources: Resources, settings: SlurmSettings, scriptPath: String
  ) -> [String] {
    var arguments = [
      "--parsable", "--job-name=\(jobName(stage: job.stage))", "--output=\(job.logPath)",
      "--open-mode=append", "--chdir=\(job.workingDirectory)", "--export=ALL", "--nodes=1",
      "--ntasks=1", "--cpus-per-task=\(resources.cpus)",
    ]
    if let partition = settings.partition { arguments.append("--partition=\(partition)") }
    if let account = settings.account { arguments.append("--account=\(account)") }
    if let qos = settings.qos { arguments.append("--qos=\(qos)") }
    if let bytes = resources.memoryBytes { arguments.append("--mem=\(memoryText(bytes))") }
    if resources.gpus > 0 { arguments.append("--gres=gpu:\(resources.gpus)") }
    if let seconds = resources.timeSeconds ?? settings.defaultTimeSeconds {
      arguments.append("--time=\(TimeLimit.slurmText(seconds))")
    }
    arguments += settings.options
    arguments.append(scriptPath)
    return arguments
  }

  /// `--mem` in whole mebibytes, rounded up (Slurm's `M` is MiB).
  public static func memoryText(_ bytes: Int) -> String {
    let mebibytes = max(1, (bytes + 1_048_575) / 1_048_576)
    return "\(mebibytes)M"
  }

  /// The job id in `sbatch --parsable` output: `ID` or `ID;CLUSTER`.
  public static func jobID(fromParsable output: String) -> String? {
    for line in output.split(separator: "\n") {
      let first = line.split(separator: ";").first.map { $0.slurmTrimmed() } ?? ""
      if !first.isEmpty, first.allSatisfy({ $0.isASCII && $0.isNumber }) { return first }
    }
    return nil
  }

  /// Single-quoted for `/bin/sh`.
  public static func shellQuoted(_ text: String) -> String {
    if !text.isEmpty,
      text.allSatisfy({
        $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+=:@,%".contains($0))
      })
    {
      return text
    }
    return "'" + text.replacing("'", with: "'\\''") + "'"
  }
}
