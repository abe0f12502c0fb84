/// Where everything goes in a publication bundle. The bundle directory is a BagIt bag; the
/// payload under `data/` is an RO-Crate:
///
///     <bundle>/
///       bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-sha256.txt
///       data/
///         ro-crate-metadata.json   (lists every other payload file)
///         datacite.json  CITATION.cff  MODEL_CARD.md  metrics.json
///         fair-assessment.json  fair-assessment.md
///         model/<model files>       provenance/<provenance records>
///         reproduce/source.tar  reproduce/reproduce.json  reproduce/<pipeline>.lock
///
/// `reproduce/` is there only when the lineage can be re-executed from the bundle (one clean
/// code commit): the commit's tree as a ustar archive (``TarArchive``), the recipe
/// (``ReproduceRecipe``) and a copy of the pipeline's lock file when it has one.
public enum BundleLayout {
  public static let payloadDirectory = "data"
  public static let dataCite = "datacite.json"
  public static let citation = "CITATION.cff"
  public static let modelCard = "MODEL_CARD.md"
  public static let metrics = "metrics.json"
  public static let roCrate = "ro-crate-metadata.json"
  public static let fairJSON = "fair-assessment.json"
  public static let fairMarkdown = "fair-assessment.md"
  public static let modelPrefix = "model/"
  public static let provenancePrefix = "provenance/"
  public static let reproducePrefix = "reproduce/"
  /// The names inside `reproduce/`.
  public static let sourceArchiveName = "source.tar"
  public static let recipeName = "reproduce.json"
  public static let sourceArchive = reproducePrefix + sourceArchiveName
  public static let recipe = reproducePrefix + recipeName
}
