/// fairflow's own version and the Swift compiler that built it (recorded in provenance).
public enum FairflowVersion {
  public static let current = "0.1.0"

  /// The compiler version this binary was built with, to the patch level known here.
  public static var swiftCompiler: String {
    #if compiler(>=6.5)
      return "6.5 or later"
    #elseif compiler(>=6.3.2)
      return "6.3.2"
    #elseif compiler(>=6.3.1)
      return "6.3.1"
    #elseif compiler(>=6.3)
      return "6.3"
    #elseif compiler(>=6.2)
      return "6.2"
    #elseif compiler(>=6.1)
      return "6.1"
    #else
      return "6.0"
    #endif
  }
}
