public import Publish
internal import FairflowBase
internal import FairflowProvenance
internal import FairflowStore
internal import Fetch
internal import Foundation
internal import Glibc

/// `fairflow reproduce DOI | BUNDLE | URL`: re-executes a published model's lineage from its
/// publication bundle, anywhere (docs/reproduce.md, "From a DOI or bundle").
///
/// 1. **Payload.** A DOI or record URL is fetched like `uses: fetch` does (resolver, listing,
///    checksummed downloads) into the scratch directory, and the repository's flat files are put
///    back at their payload paths from the RO-Crate (``PublishedPayload``); a bundle directory is
///    validated as a bag first. Every file must have the size and SHA-256 the RO-Crate lists.
/// 2. **Recipe.** `reproduce/reproduce.json` (``ReproduceRecipe``) is required: a bundle without
///    `reproduce/` is refused (exit 2), as is one whose parts do not match.
/// 3. **Scratch workspace.** `reproduce/source.tar` is unpacked into `source/` of a fresh
///    `$TMPDIR/fairflow-reproduce-XXXXXX` (``TarArchive``, refusing anything that escapes) and
///    the lock file is put back; the caller then runs ``childArguments`` in ``workspace``.
/// 4. **Comparison** (``compare(childStatus:)``): the recipe's artifact digests with the scratch
///    outputs, and the published metrics with the reproduced metrics file.
///
///     $TMPDIR/fairflow-reproduce-XXXXXX/
///       download/   the fetch workspace (cache, files as the repository names them)
///       bundle/data/ the payload at its paths (a downloaded record)
///       source/     the commit's tree; the workspace is source/<recipe.workspace>
public struct BundleReproduction: Sendable {
  /// What the user named.
  public enum Source: Sendable, Equatable {
    case doi(String)
    case url(String)
    /// A bundle directory (absolute path), recognised by its `bagit.txt`.
    case bundle(String)

    /// The form an argument takes, or nil for a workspace path (PATH mode): an existing
    /// directory holding `bagit.txt` is a bundle, any other existing path stays a path; a DOI in
    /// any spelling, then an http(s) URL.
    public init?(argument: String, workingDirectory: String) {
      let absolute = argument.hasPrefix("/") ? argument : workingDirectory + "/" + argument
      if FileIO.exists(absolute) {
        guard FileIO.exists(absolute + "/bagit.txt") else { return nil }
        self = .bundle(FileIO.realPath(absolute) ?? absolute)
      } else if DOI(argument) != nil {
        self = .doi(argument)
      } else if let url = URL(string: argument), let scheme = url.scheme?.lowercased(),
        scheme == "https" || scheme == "http", url.host != nil
      {
        self = .url(argument)
      } else {
        return nil
      }
    }

    /// As the user wrote it (a bundle: its path).
    public var text: String {
      switch self {
      case .doi(let text), .url(let text), .bundle(let text): text
      }
    }
  }

  public var source: Source
  /// `$TMPDIR/fairflow-reproduce-XXXXXX`.
  public var scratch: String
  /// The payload directory (a bundle's `data/`, or `bundle/data` in the scratch directory).
  public var payload: String
  public var recipe: ReproduceRecipe
  /// The DOI of the record, when the source resolved to one.
  public var doi: String?

  /// The workspace in the unpacked tree, where the child runs.
  public var workspace: String {
    scratch + "/source" + (recipe.workspace.isEmpty ? "" : "/" + recipe.workspace)
  }

  /// What will run: "stage 'evaluate' of pipelines/main.yaml at 0123456789ab".
  public var summary: String {
    "stage '\(recipe.stage)' of \(recipe.pipeline) at \(recipe.commit.prefix(12))"
  }

  /// `fairflow run PIPELINE --stage STAGE --force --no-provenance -p …`.
  public var childArguments: [String] {
    ["run", recipe.pipeline, "--stage", recipe.stage, "--force", "--no-provenance"]
      + recipe.params.flatMap { ["-p", $0] }
  }

  /// Steps 1 to 3. On a refusal the scratch directory is removed and nothing was run.
  public static func prepare(_ source: Source, environment: [String: String]) async throws
    -> BundleReproduction
  {
    let scratch = try makeScratch(environment["TMPDIR"])
    do {
      let (payload, doi) = try await acquire(source, scratch: scratch, environment: environment)
      let recipe = try readRecipe(payload: payload, source: source)
      let reproduction = BundleReproduction(
        source: source, scratch: scratch, payload: payload, recipe: recipe, doi: doi)
      try reproduction.unpack()
      return reproduction
    } catch {
      try? FileIO.remove(scratch)
      throw error
    }
  }

  /// Step 3: the tree into `source/`, the lock file back at its path; checks the pipeline is
  /// there.
  func unpack() throws {
    let tree = scratch + "/source"
    try FileIO.makeDirectories(tree)
    let archive = try FileIO.read(payload + "/" + BundleLayout.sourceArchive)
    do {
      try TarArchive.extract(archive, into: tree)
    } catch {
      throw ReproductionRefusal("\(BundleLayout.sourceArchive) of \(source.text): \(error)")
    }
    guard FileIO.exists(workspace + "/" + recipe.pipeline) else {
      throw ReproductionRefusal(
        "\(BundleLayout.sourceArchive) of \(source.text) has no \(recipe.pipeline) in "
          + "'\(recipe.workspace)'")
    }
    if let lock = recipe.lock, let name = recipe.lockFileName {
      let copy = payload + "/" + BundleLayout.reproducePrefix + name
      guard FileIO.exists(copy) else {
        throw ReproductionRefusal(
          "\(source.text) names the lock file \(lock) but has no \(BundleLayout.reproducePrefix)"
            + name)
      }
      let target = workspace + "/" + lock
      try FileIO.remove(target)
      try FileIO.makeDirectories(FileIO.parent(of: target))
      try FileIO.writeAtomically(try FileIO.read(copy), to: target, durable: false)
    }
  }

  /// Step 2: the recipe, or a refusal naming what is missing.
  static func readRecipe(payload: String, source: Source) throws -> ReproduceRecipe {
    let file = payload + "/" + BundleLayout.recipe
    guard FileIO.exists(file), FileIO.exists(payload + "/" + BundleLayout.sourceArchive) else {
      throw ReproductionRefusal(
        "\(source.text) has no \(BundleLayout.reproducePrefix) part: it was published without a "
          + "reproducible lineage",
        hint: "publish from a clean git commit; the publish log says why reproduce/ was left out")
    }
    do {
      return try ReproduceRecipe(json: try FileIO.read(file))
    } catch let error as PublishError {
      throw ReproductionRefusal("\(source.text): \(error)")
    }
  }

  /// A fresh `$TMPDIR/fairflow-reproduce-XXXXXX`.
  static func makeScratch(_ tmpdir: String?) throws -> String {
    var base = tmpdir.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
    var template = Array((base + "/fairflow-reproduce-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
      throw ReproductionRefusal("cannot create a scratch directory in \(base)")
    }
    return String(cString: made)
  }
}
