/// Sizes the wrapper refuses, so a corrupt shape or a typo fails with an error instead of an
/// overflow trap or an allocation that cannot succeed.
public enum HDF5Limits {
  /// The most elements a dataset may have (2⁴⁸), checked when creating and opening datasets;
  /// zero-length dimensions count as one here.
  public static let maximumElementCount = 1 << 48
  /// The most bytes one read or write may move in memory (16 GiB); read big datasets by rows.
  public static let maximumTransferBytes = 1 << 34
}
