/// Updates parameters from their accumulated gradients, then clears the gradients.
public protocol Optimizer {
  mutating func step(_ parameters: [Parameter])
}

/// The factor of a linear learning-rate warm-up at step `step` (1-based) of `steps`: step/steps
/// until `steps`, then 1 (no warm-up when `steps` ≤ 0).
func warmupFactor(step: Int, steps: Int) -> Float {
  steps > 0 && step < steps ? Float(step) / Float(steps) : 1
}

/// Stochastic gradient descent with optional momentum and L2 weight decay (PyTorch's rule:
/// the decay is added to the gradient).
public struct SGD: Optimizer {
  public var learningRate: Float
  public var momentum: Float
  public var weightDecay: Float
  /// Linear learning-rate warm-up over this many steps (0: none).
  public var warmupSteps = 0
  var velocity: [ObjectIdentifier: [Float]] = [:]
  var t = 0

  public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
  }

  public mutating func step(_ parameters: [Parameter]) {
    t += 1
    let rate = learningRate * warmupFactor(step: t, steps: warmupSteps)
    for p in parameters {
      let key = ObjectIdentifier(p)
      var v = velocity[key] ?? [Float](repeating: 0, count: p.grad.count)
      for i in 0..<p.grad.count {
        let g = p.grad[i] + weightDecay * p.value.data[i]
        v[i] = momentum * v[i] + g
        p.value.data[i] -= rate * v[i]
      }
      if momentum != 0 { velocity[key] = v }
      p.zeroGrad()
    }
  }
}

/// Adam (Kingma & Ba) with bias correction and PyTorch-style L2 weight decay.
public struct Adam: Optimizer {
  public var learningRate: Float
  public var beta1: Float = 0.9
  public var beta2: Float = 0.999
  public var epsilon: Float = 1e-8
  public var weightDecay: Float
  /// Linear learning-rate warm-up over this many steps (0: none).
  public var warmupSteps = 0
  var m: [ObjectIdentifier: [Float]] = [:]
  var v: [ObjectIdentifier: [Float]] = [:]
  var t = 0

  public init(learningRate: Float, weightDecay: Float = 0) {
    self.learningRate = learningRate
    self.weightDecay = weightDecay
  }

  public mutating func step(_ parameters: [Parameter]) {
    t += 1
    let c1 = 1 - Float.pow(beta1, t)
    let c2 = 1 - Float.pow(beta2, t)
    let rate = learningRate * warmupFactor(step: t, steps: warmupSteps)
    for p in parameters {
      let key = ObjectIdentifier(p)
      var mp = m[key] ?? [Float](repeating: 0, count: p.grad.count)
      var vp = v[key] ?? [Float](repeating: 0, count: p.grad.count)
      for i in 0..<p.grad.count {
        let g = p.grad[i] + weightDecay * p.value.data[i]
        mp[i] = beta1 * mp[i] + (1 - beta1) * g
        vp[i] = beta2 * vp[i] + (1 - beta2) * g * g
        p.value.data[i] -= rate * (mp[i] / c1) / ((vp[i] / c2).squareRoot() + epsilon)
      }
      m[key] = mp
      v[key] = vp
      p.zeroGrad()
    }
  }
}

extension Float {
  static func pow(_ base: Float, _ exponent: Int) -> Float {
    var r: Float = 1
    for _ in 0..<exponent { r *= base }
    return r
  }
}
