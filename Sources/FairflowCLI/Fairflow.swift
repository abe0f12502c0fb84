public import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import Foundation

/// The `fairflow` command tree.
public struct Fairflow: AsyncParsableCommand {
  public static let version = FairflowVersion.current

  public static let configuration = CommandConfiguration(
    commandName: "fairflow",
    abstract: "Reproducible, FAIR machine-learning pipelines with content-hashed caching.",
    discussion: """
      Exit codes: 0 ok, 1 a stage failed or a gate regressed, 2 invalid input or usage, \
      3 locked by another run, 130 interrupted.
      """,
    version: version,
    subcommands: [
      InitCommand.self,
      Run.self, Status.self, Dag.self, Validate.self, Cache.self, Prov.self, Reproduce.self,
      Inspect.self,
      ImportModel.self, Predict.self, FetchCommand.self, Check.self, MetricsCommand.self,
      Report.self, RemoteCommand.self, Push.self, Pull.self, ServeCommand.self,
      ExecStage.self,
    ])

  public init() {}

  /// Parses and runs `arguments`, printing errors; returns the process exit status.
  public static func runMain(_ arguments: [String]) async -> Int32 {
    do {
      var command = try parseAsRoot(arguments)
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
      return 0
    } catch let error as any FairflowError {
      Console.error(error)
      return error.exitStatus.code
    } catch let exit as ExitCode {
      return exit.rawValue
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        if !message.isEmpty { print(message) }
        return 0
      }
      Console.standardError(message + "\n")
      // Usage and validation errors exit 2 (ArgumentParser uses 64 on Linux).
      return code == .validationFailure ? ExitStatus.invalidInput.code : code.rawValue
    }
  }

  public static func exit(_ status: Int32) -> Never {
    Foundation.exit(status)
  }
}

/// Options shared by commands that load a pipeline.
struct PipelineOptions: ParsableArguments {
  @Argument(help: "Pipeline file, or NAME for pipelines/NAME.yaml (optional with one pipeline).")
  var pipeline: String?

  @Option(
    name: [.short, .customLong("param")],
    help: ArgumentHelp(
      "Override a parameter: key=value typed as in the pipeline file, or key:=JSON for lists, "
        + "maps and exact strings.", valueName: "key=value"))
  var params: [String] = []
}
