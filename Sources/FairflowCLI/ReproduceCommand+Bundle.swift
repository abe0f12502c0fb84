internal import ArgumentParser
internal import FAIRStages
internal import FairflowBase
internal import FairflowProvenance
internal import FairflowStore
internal import Foundation

/// `fairflow reproduce DOI | BUNDLE | URL`: the published bundle's lineage re-executed in a
/// scratch workspace (`BundleReproduction`), compared with what was published.
extension Reproduce {
  func runBundle(_ source: BundleReproduction.Source) async throws {
    if let pipeline {
      throw ReproductionRefusal(
        "PIPELINE (\(pipeline)) is not taken with a DOI, URL or bundle: the bundle names its "
          + "pipeline")
    }
    if case .bundle = source {
      Console.standardError("checking the bag \(source.text)\n")
    } else {
      Console.standardError("fetching \(source.text)\n")
    }
    let reproduction = try await BundleReproduction.prepare(
      source, environment: ProcessInfo.processInfo.environment)
    defer { if !keep { try? FileIO.remove(reproduction.scratch) } }
    Console.standardError(
      "reproducing \(source.text): \(reproduction.summary) in \(reproduction.scratch)\n")
    let status = try runChild(
      reproduction.childArguments, in: reproduction.workspace, scratch: reproduction.scratch)
    let comparison = reproduction.compare(childStatus: status)
    if json {
      print(
        comparison.json(scratch: keep ? reproduction.scratch : nil).prettyJSON, terminator: "")
    } else {
      print(comparison.text, terminator: "")
      if keep { print("scratch workspace kept: \(reproduction.scratch)") }
    }
    if comparison.exitStatus != .success { throw ExitCode(comparison.exitStatus.code) }
  }
}
