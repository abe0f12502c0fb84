public import FairflowBase
/// A fully connected layer, `y = x·wᵀ + b`, weights `[out, in]` (PyTorch's layout and default
/// initialisation: U(−1/√in, 1/√in) for weights and biases).
public struct Linear: Sendable {
  public let weight: Parameter
  public let bias: Parameter

  public init(name: String, inputs: Int, outputs: Int, generator: inout SeededGenerator) {
    let bound = 1 / Float(inputs).squareRoot()
    weight = Parameter(
      name: name + ".weight",
      value: Tensor(
        shape: [outputs, inputs],
        data: (0..<outputs * inputs).map { _ in generator.uniform(-bound, bound) }))
    bias = Parameter(
      name: name + ".bias",
      value: Tensor(
        shape: [outputs], data: (0..<outputs).map { _ in generator.uniform(-bound, bound) }))
  }

  public init(weight: Parameter, bias: Parameter) {
    self.weight = weight
    self.bias = bias
  }

  public func callAsFunction(_ tape: Tape, _ x: Tape.Variable) -> Tape.Variable {
    tape.linear(x, tape.parameter(weight), tape.parameter(bias))
  }

  public var parameters: [Parameter] { [weight, bias] }
}

/// Linear layers with ReLU after each (after the last too, when `finalActivation`).
public struct MLP: Sendable {
  public let layers: [Linear]
  public let finalActivation: Bool

  public init(
    names: [String], widths: [Int], finalActivation: Bool, generator: inout SeededGenerator
  ) {
    precondition(names.count == widths.count - 1)
    var layers: [Linear] = []
    for i in 0..<names.count {
      layers.append(
        Linear(name: names[i], inputs: widths[i], outputs: widths[i + 1], generator: &generator))
    }
    self.layers = layers
    self.finalActivation = finalActivation
  }

  public func callAsFunction(_ tape: Tape, _ x: Tape.Variable) -> Tape.Variable {
    var h = x
    for (i, layer) in layers.enumerated() {
      h = layer(tape, h)
      if i < layers.count - 1 || finalActivation { h = tape.relu(h) }
    }
    return h
  }

  public var parameters: [Parameter] { layers.flatMap(\.parameters) }
}
