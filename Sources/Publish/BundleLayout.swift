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
}
