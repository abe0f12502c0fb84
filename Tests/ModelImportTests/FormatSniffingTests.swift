import ModelImport
import NeuralKit
import Testing

/// Content sniffing: a safetensors file whose header length starts with byte 0x80 (the pickle
/// PROTO opcode) is still read as safetensors, and a legacy pickle still as PyTorch.
@Suite struct FormatSniffingTests {
  @Test func safetensorsWhoseHeaderLengthStartsWith0x80() throws {
    var header = Array(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
    header += [UInt8](repeating: UInt8(ascii: " "), count: 128 - header.count)
    var bytes: [UInt8] = [0x80, 0, 0, 0, 0, 0, 0, 0] + header
    for value: Float in [1.5, -2] {
      withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }
    let (tensors, format, _) = try ModelImporter.weights(bytes, name: "weights.bin")
    #expect(format == .safetensors)
    #expect(tensors["w"]?.data == [1.5, -2])
  }

  @Test func aLegacyPickleIsStillPyTorch() {
    // PROTO 2 then garbage: read as a checkpoint (and refused as one), not as safetensors.
    let bytes: [UInt8] = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20]
    #expect(throws: ImportError.self) { try ModelImporter.weights(bytes, name: "model.pt") }
    do {
      _ = try ModelImporter.weights(bytes, name: "model.pt")
    } catch {
      #expect(!error.message.contains("safetensors"), "\(error.message)")
    }
  }
}
