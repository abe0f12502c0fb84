import FairflowCore
import FuzzSupport

/// libFuzzer target: the pipeline loader — UTF-8 decoding, YAML composition with the node and
/// alias limits, the typed reader, matrix expansion and interpolation, and the stage graph.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipelineLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
  guard let text = try? PipelineLoader.decode(bytes, file: "fuzz.yaml"),
    let spec = try? PipelineLoader.load(text: text, file: "fuzz.yaml"),
    let pipeline = try? PipelineExpander().expand(spec, overrides: [])
  else { return 0 }
  _ = try? Graph(pipeline)
  return 0
}

@main struct Main {
  static func main() { FuzzSupport.main(fuzzPipelineLoader) }
}
