internal import FairflowBase
/// BraggNN (reference: braggnn.md §1): conv 1→64 (3×3), non-local block, LeakyReLU(0.01),
/// conv 64→32, LeakyReLU, conv 32→8, LeakyReLU, channel-major flatten, dense layers with
/// LeakyReLU (`fcsz`), and a linear 2-unit output: the peak centre. Xavier-uniform weights,
/// zero biases; parameter names follow the reference state dict.
public struct BraggNN: Sendable {
  public struct Configuration: Sendable, Equatable {
    public var patch = 11
    public var dense = [16, 8, 4, 2]
    public init() {}
  }

  public let configuration: Configuration
  public let conv1: Linear
  public let theta: Linear
  public let phi: Linear
  public let g: Linear
  public let out: Linear
  public let conv2: Linear
  public let conv3: Linear
  public let dense: [Linear]

  public init(_ c: Configuration = Configuration(), seed: UInt64) {
    configuration = c
    var gen = SeededGenerator(seed: seed)
    func layer(_ name: String, _ shape: [Int], fanIn: Int, fanOut: Int) -> Linear {
      Linear(name: name, weightShape: shape, fanIn: fanIn, fanOut: fanOut, generator: &gen)
    }
    conv1 = layer("cnn_layers.0", [64, 1, 3, 3], fanIn: 9, fanOut: 64 * 9)
    theta = layer("nlb.theta_layer", [32, 64, 1, 1], fanIn: 64, fanOut: 32)
    phi = layer("nlb.phi_layer", [32, 64, 1, 1], fanIn: 64, fanOut: 32)
    g = layer("nlb.g_layer", [32, 64, 1, 1], fanIn: 64, fanOut: 32)
    out = layer("nlb.out_cnn", [64, 32, 1, 1], fanIn: 32, fanOut: 64)
    conv2 = layer("cnn_layers.2", [32, 64, 3, 3], fanIn: 64 * 9, fanOut: 32 * 9)
    conv3 = layer("cnn_layers.4", [8, 32, 3, 3], fanIn: 32 * 9, fanOut: 8 * 9)
    let s = c.patch - 6
    var widths = [8 * s * s] + c.dense + [2]
    var layers: [Linear] = []
    for i in 0..<(widths.count - 1) {
      layers.append(
        layer(
          "dense_layers.\(2 * i)", [widths[i + 1], widths[i]], fanIn: widths[i],
          fanOut: widths[i + 1]))
    }
    widths.removeAll()
    dense = layers
  }

  public var parameters: [Parameter] {
    [conv1, theta, phi, g, out, conv2, conv3].flatMap(\.parameters) + dense.flatMap(\.parameters)
  }

  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// Peak positions `[B, 2]` for patches `[B, 1, P, P]`.
  public func callAsFunction(_ tape: Tape, patches: Tensor) -> Tape.Variable {
    let p = configuration.patch
    let b = patches.shape[0]
    precondition(patches.shape == [b, 1, p, p])
    let x = tape.constant(Tensor(shape: [b * p * p, 1], data: patches.data))
    let s1 = p - 2
    let h = conv1(tape, tape.im2col(x, batch: b, height: p, width: p, kernel: 3))  // [B·s1², 64]
    let y = tape.attention(theta(tape, h), phi(tape, h), g(tape, h), groups: b, n: s1 * s1)
    var z = tape.leakyRelu(tape.add(out(tape, y), h), slope: 0.01)
    z = tape.leakyRelu(
      conv2(tape, tape.im2col(z, batch: b, height: s1, width: s1, kernel: 3)), slope: 0.01)
    let s2 = s1 - 2
    z = tape.leakyRelu(
      conv3(tape, tape.im2col(z, batch: b, height: s2, width: s2, kernel: 3)), slope: 0.01)
    let s3 = s2 - 2
    var d = tape.flattenChannelMajor(z, batch: b, spatial: s3 * s3)
    for (i, layer) in dense.enumerated() {
      d = layer(tape, d)
      if i < dense.count - 1 { d = tape.leakyRelu(d, slope: 0.01) }
    }
    return d
  }
}

extension Linear {
  /// Xavier/Glorot-uniform weights of `weightShape` (`[out, …]`), zero biases (BraggNN's init).
  init(name: String, weightShape: [Int], fanIn: Int, fanOut: Int, generator: inout SeededGenerator)
  {
    let a = (6 / Float(fanIn + fanOut)).squareRoot()
    let count = weightShape.reduce(1, *)
    self.init(
      weight: Parameter(
        name: name + ".weight",
        value: Tensor(shape: weightShape, data: (0..<count).map { _ in generator.uniform(-a, a) })),
      bias: Parameter(name: name + ".bias", value: Tensor(zeros: [weightShape[0]])))
  }
}
