import FairflowCLI

/// The executable holds no logic: parse, run, map the exit code.
@main
enum Entry {
  static func main() async {
    let status = await Fairflow.runMain(Array(CommandLine.arguments.dropFirst()))
    Fairflow.exit(status)
  }
}
