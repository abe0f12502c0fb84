public import FairflowBase
public import NeuralKit

/// Turns weights read from a PyTorch checkpoint, a safetensors file or an ONNX file into a native
/// model: names map one to one onto the reference state-dict keys (which fairflow's models use),
/// architecture hyperparameters are inferred from the shapes, every tensor's shape is checked, and
/// missing or unexpected tensors are listed.
public enum ModelImporter {
  public enum Architecture: String, Sendable, CaseIterable {
    case interactionNetwork = "interaction-network"
    case braggNN = "braggnn"
  }

  public enum Format: String, Sendable { case pytorch, safetensors, onnx }

  /// An imported model and a description of its source.
  public enum Model: Sendable {
    case interactionNetwork(InteractionNetwork)
    case braggNN(BraggNN)
  }

  /// Reads `bytes` by content (zip/pickle → PyTorch, ONNX protobuf by extension, else
  /// safetensors); `name` is used for the format guess and messages.
  public static func weights(_ bytes: [UInt8], name: String) throws(ImportError) -> (
    [String: Tensor], Format, [String: String]
  ) {
    if name.hasSuffix(".onnx") {
      let onnx = try ONNXInitializers(bytes)
      return (onnx.tensors, .onnx, onnx.metadata)
    }
    // safetensors: an 8-byte little-endian header length, then the JSON header's '{'. Checked
    // before the pickle opcode 0x80, which a header length can start with (128 + 256k bytes).
    let safetensors = bytes.count > 8 && bytes[8] == UInt8(ascii: "{")
    if !safetensors, ZipArchive.isZip(bytes) || bytes.first == 0x80 {
      return (try TorchCheckpoint.read(bytes), .pytorch, [:])
    }
    do { return (try SafeTensors.decode(bytes), .safetensors, [:]) } catch {
      throw ImportError(
        "\(name): not a PyTorch checkpoint, safetensors or ONNX file (\(error.message))")
    }
  }

  /// Builds the model. `tracks`/`vertices` give the IN's object counts when the weights do not
  /// determine them (checkpoints; fairflow's ONNX carries them in its interaction matrices).
  public static func model(
    _ architecture: Architecture, weights given: [String: Tensor], format: Format,
    metadata: [String: String], tracks: Int = 60, vertices: Int = 5
  ) throws(ImportError) -> Model {
    var weights = given
    // fairflow's own ONNX stores dense weights as [in, out] for MatMul.
    let transposed = format == .onnx && metadata["fairflow_version"] != nil
    func shape(_ name: String) throws(ImportError) -> [Int] {
      guard let t = weights[name] else {
        throw ImportError(
          "missing tensor '\(name)' for \(architecture.rawValue)",
          hint: "found: \(weights.keys.sorted().prefix(12).joined(separator: ", "))")
      }
      return t.shape
    }
    switch architecture {
    case .interactionNetwork:
      let names = [
        "fr1", "fr2", "fr3", "fr1_pv", "fr2_pv", "fr3_pv", "fo1", "fo2", "fo3", "fc_fixed",
      ]
      if transposed {
        for n in names { weights[n + ".weight"] = weights[n + ".weight"].map(transpose) }
      }
      var c = InteractionNetwork.Configuration()
      let fr1 = try shape("fr1.weight")
      guard fr1.count == 2, fr1[1] % 2 == 0 else {
        throw ImportError("fr1.weight has shape \(fr1)")
      }
      c.hidden = fr1[0]
      c.trackFeatures = fr1[1] / 2
      c.edgeFeatures = try shape("fr3.weight")[0]
      c.vertexFeatures = try shape("fr1_pv.weight")[1] - c.trackFeatures
      c.outputFeatures = try shape("fo3.weight")[0]
      c.classes = try shape("fc_fixed.weight")[0]
      (c.tracks, c.vertices) = (tracks, vertices)
      if let rr = weights["R_R"]?.shape, rr.count == 2 { c.tracks = rr[0] }
      if let rk = weights["R_K"]?.shape, rk.count == 2, c.tracks > 0 {
        c.vertices = rk[1] / c.tracks
      }
      guard c.vertexFeatures > 0 else {
        throw ImportError("fr1_pv.weight is narrower than the track features")
      }
      let model = InteractionNetwork(c, seed: 0)
      try assign(
        model.parameters, weights,
        ignoring: ["R_R", "R_S", "R_K", "R_V", "R_R_T", "R_K_T", "sum_axes"])
      return .interactionNetwork(model)
    case .braggNN:
      var dense: [Int] = []
      var layer = 0
      var first: [Int]?
      while let w = weights["dense_layers.\(layer).weight"] {
        var s = w.shape
        if transposed, s.count == 2 {
          weights["dense_layers.\(layer).weight"] = transpose(w)
          s = [s[1], s[0]]
        }
        if first == nil { first = s }
        dense.append(s[0])
        layer += 2
      }
      guard let input = first?.last, dense.count >= 2 else {
        throw ImportError(
          "no dense_layers.N.weight tensors for braggnn",
          hint: "found: \(weights.keys.sorted().prefix(12).joined(separator: ", "))")
      }
      var c = BraggNN.Configuration()
      let side = Int(Double(input / 8).squareRoot().rounded())
      guard 8 * side * side == input else {
        throw ImportError("dense input width \(input) is not 8·(P−6)²")
      }
      c.patch = side + 6
      c.dense = Array(dense.dropLast())
      let model = BraggNN(c, seed: 0)
      try assign(model.parameters, weights, ignoring: ["shape_c32_n", "shape_c32_hw"])
      return .braggNN(model)
    }
  }

  static func transpose(_ t: Tensor) -> Tensor {
    guard t.shape.count == 2 else { return t }
    let (r, c) = (t.shape[0], t.shape[1])
    var out = [Float](repeating: 0, count: t.count)
    for i in 0..<r { for j in 0..<c { out[j * r + i] = t.data[i * c + j] } }
    return Tensor(shape: [c, r], data: out)
  }

  static func assign(_ parameters: [Parameter], _ weights: [String: Tensor], ignoring: Set<String>)
    throws(ImportError)
  {
    let expected = Set(parameters.map(\.name))
    let missing = parameters.map(\.name).filter { weights[$0] == nil }
    let unexpected = weights.keys.filter { !expected.contains($0) && !ignoring.contains($0) }
      .sorted()
    guard missing.isEmpty, unexpected.isEmpty else {
      throw ImportError(
        "the weights do not fit the architecture"
          + (missing.isEmpty ? "" : "; missing: \(missing.joined(separator: ", "))")
          + (unexpected.isEmpty ? "" : "; unexpected: \(unexpected.joined(separator: ", "))"))
    }
    for p in parameters {
      let t = weights[p.name]!
      guard t.shape == p.value.shape else {
        throw ImportError(
          "tensor '\(p.name)' has shape \(t.shape); the architecture needs \(p.value.shape)")
      }
      p.value = t
    }
  }

  /// `model.json` + `model.safetensors` for an imported model, with its source recorded.
  public static func directory(_ model: Model, source: [(String, Value)]) throws(ImportError) -> (
    json: String, safetensors: [UInt8]
  ) {
    let (json, weights): (String, [UInt8])
    switch model {
    case .interactionNetwork(let m): (json, weights) = m.checkpoint()
    case .braggNN(let m): (json, weights) = m.checkpoint()
    }
    guard case .map(var fields) = try? JSONParser.parse(json, file: "model.json") else {
      throw ImportError("cannot re-read model.json")
    }
    fields.append(("source", .map(source.map { (key: $0.0, value: $0.1) })))
    return (Value.map(fields).prettyJSON, weights)
  }
}

extension ModelImporter {
  /// A native model directory's model (`model.json` + `model.safetensors` contents).
  public static func load(json text: String, safetensors: [UInt8]) throws(ImportError) -> Model {
    guard let json = try? JSONParser.parse(text, file: "model.json") else {
      throw ImportError("model.json is not valid JSON")
    }
    let a = json["configuration"]
    func int(_ key: String) throws(ImportError) -> Int {
      guard let v = a?[key]?.intValue else {
        throw ImportError("model.json: configuration.\(key) missing")
      }
      return v
    }
    do {
      switch json["architecture"]?.stringValue {
      case "interaction-network":
        var c = InteractionNetwork.Configuration()
        (c.trackFeatures, c.tracks) = (try int("track_features"), try int("tracks"))
        (c.vertexFeatures, c.vertices) = (try int("vertex_features"), try int("vertices"))
        (c.hidden, c.edgeFeatures, c.outputFeatures, c.classes) = (
          try int("hidden"), try int("edge_features"), try int("output_features"),
          try int("classes")
        )
        let model = InteractionNetwork(c, seed: 0)
        try model.load(safetensors: safetensors)
        return .interactionNetwork(model)
      case "braggnn":
        var c = BraggNN.Configuration()
        c.patch = try int("patch")
        c.dense = a?["dense"]?.listValue?.compactMap(\.intValue) ?? c.dense
        let model = BraggNN(c, seed: 0)
        try model.load(safetensors: safetensors)
        return .braggNN(model)
      default:
        throw ImportError(
          "model.json: unsupported architecture \(json["architecture"]?.canonicalText ?? "?")")
      }
    } catch let error as ImportError {
      throw error
    } catch {
      throw ImportError("model.safetensors: \(error)")
    }
  }
}
