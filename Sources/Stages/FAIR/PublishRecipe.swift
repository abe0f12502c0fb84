internal import FairflowBase
internal import FairflowCore
internal import FairflowEngine
internal import FairflowProvenance
internal import FairflowStore
internal import Publish

/// The `reproduce/` part of a publication bundle: the recorded code commit's tree as
/// `source.tar`, the `reproduce.json` recipe and a copy of the pipeline's lock file, so that
/// `fairflow reproduce DOI` can re-execute the lineage anywhere (docs/reproduce.md).
///
/// The rules are `fairflow reproduce PATH`'s: the model and the metrics are planned with
/// ``Reproducer`` (one clean code commit, one pipeline, no secrets, consistent params), and one
/// stage must re-execute both (the metrics' producer when evaluation reads the model). One rule
/// is added: every root input must be in git at the commit, since the object store does not
/// travel with the bundle (fetched data is re-fetched by its `fetch` stage, which is a stage of
/// the lineage, not a root). When a rule fails the part is left out and `note` says why.
struct PublishRecipe {
  /// Files for `reproduce/` (paths inside it); empty when the lineage cannot be reproduced.
  var files: [BundleFile] = []
  /// The line for the publish log: what the part holds, or why it was left out.
  var note: String

  init(model: String, metrics: String?, workspace root: String) {
    do {
      let (files, recipe) = try Self.build(
        [model] + (metrics.map { [$0] } ?? []), workspace: FileIO.realPath(root) ?? root)
      self.files = files
      note =
        "publish: reproduce/ holds commit \(recipe.commit.prefix(12)) (source.tar), "
        + "\(recipe.pipeline), stage '\(recipe.stage)'"
    } catch let refusal as ReproductionRefusal {
      note = "publish: no reproduce/ part: " + refusal.message
    } catch {
      note = "publish: no reproduce/ part: \(error)"
    }
  }

  static func build(_ paths: [String], workspace root: String) throws -> (
    [BundleFile], ReproduceRecipe
  ) {
    let reproducer = try Reproducer(workspace: root)
    let observer = Observer(root: root, statCache: StatCache(file: ""))
    var plans: [ReproductionPlan] = []
    var artifacts: [ReproduceRecipe.Artifact] = []
    for path in paths {
      guard let observed = try observer.observe(path) else {
        throw ReproductionRefusal("\(path) does not exist")
      }
      plans.append(
        try reproducer.plan(path: path, sha256: observed.digest.hex, size: observed.size))
      artifacts.append(
        .init(
          path: path, sha256: observed.digest.hex, isDirectory: observed.kind == .directory))
    }
    let plan = try leafPlan(plans)
    if let input = plan.roots.first(where: { $0.source != .tree }) {
      throw ReproductionRefusal(
        "input \(input.path) is not in git at \(plan.commit.prefix(12)) (only in this "
          + "workspace's object store), so the bundle could not give it to a reproduction")
    }
    let tree = try reproducer.sourceTree(commit: plan.commit)
    var files = [
      BundleFile(
        path: BundleLayout.sourceArchiveName,
        bytes: try TarArchive.write(tree.entries.map(archiveEntry), mtime: tree.time))
    ]
    let lockFile = Workspace(root: root).lockFile(for: root + "/" + plan.pipeline)
    var lock: String?
    if FileIO.exists(lockFile) {
      lock = String(lockFile.dropFirst(root.count + 1))
      files.append(
        BundleFile(
          path: String(lockFile.split(separator: "/").last!), bytes: try FileIO.read(lockFile)))
    }
    let recipe = ReproduceRecipe(
      commit: plan.commit, pipeline: plan.pipeline, workspace: reproducer.repositoryPath,
      stage: plan.leaf.stage, params: plan.overrides, artifacts: artifacts, lock: lock)
    files.append(BundleFile(path: BundleLayout.recipeName, bytes: recipe.json))
    return (files, recipe)
  }

  /// The plan whose lineage holds every other plan's leaf: `run --stage` of its leaf re-executes
  /// them all. The last (the metrics) is preferred.
  static func leafPlan(_ plans: [ReproductionPlan]) throws -> ReproductionPlan {
    for plan in plans.reversed()
    where plans.allSatisfy({ other in
      plan.stages.contains { $0.run == other.leaf.run && $0.stage == other.leaf.stage }
    }) {
      return plan
    }
    let named = plans.map { "\($0.target) (stage '\($0.leaf.stage)')" }
    throw ReproductionRefusal(
      "no one stage re-executes both \(named.joined(separator: " and ")): their lineages are "
        + "separate")
  }

  static func archiveEntry(_ entry: SourceTree.Entry) -> TarArchive.Entry {
    switch entry.kind {
    case .file(let bytes, let executable):
      TarArchive.Entry(path: entry.path, kind: .file(bytes, executable: executable))
    case .directory: TarArchive.Entry(path: entry.path, kind: .directory)
    case .symlink(let target): TarArchive.Entry(path: entry.path, kind: .symlink(target: target))
    }
  }
}
