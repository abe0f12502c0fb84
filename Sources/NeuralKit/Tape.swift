/// Reverse-mode automatic differentiation over a tape: each operation records its output and a
/// backward rule; `backward(from:)` walks the tape in reverse, accumulating gradients into the
/// inputs and finally into the `Parameter`s the tape read. One tape per forward/backward pass.
///
/// Values are 2-D `[rows, columns]` views of `Tensor`s (what every layer here needs: the
/// interaction network works on rows of objects and edges). A tape belongs to one thread; tapes
/// on other threads may read the same `Parameter`s (data-parallel training: `gradients(from:of:)`
/// leaves `Parameter.grad` alone).
public final class Tape {
  /// A value on the tape.
  public struct Variable: Sendable, Hashable {
    let id: Int
  }

  struct Node {
    var value: Tensor
    var grad: [Float]?
    var backward: ((Tape, [Float]) -> Void)?
    var parameter: Parameter?
  }

  var nodes: [Node] = []

  public init() {}

  public func value(_ v: Variable) -> Tensor { nodes[v.id].value }

  /// A value that needs no gradient (inputs, targets).
  public func constant(_ t: Tensor) -> Variable {
    nodes.append(Node(value: t))
    return Variable(id: nodes.count - 1)
  }

  /// A trainable parameter: its gradient is added to `p.grad` by `backward`.
  public func parameter(_ p: Parameter) -> Variable {
    nodes.append(Node(value: p.value, parameter: p))
    return Variable(id: nodes.count - 1)
  }

  /// Records an op's output with its backward rule (called with the output's gradient).
  func record(_ value: Tensor, backward: @escaping (Tape, [Float]) -> Void) -> Variable {
    nodes.append(Node(value: value, backward: backward))
    return Variable(id: nodes.count - 1)
  }

  /// Adds `g` into the gradient of `v`.
  func accumulate(_ v: Variable, _ g: [Float]) {
    if nodes[v.id].grad == nil {
      nodes[v.id].grad = g
    } else {
      nodes[v.id].grad!.withUnsafeMutableBufferPointer { a in
        g.withUnsafeBufferPointer { b in for i in 0..<a.count { a[i] += b[i] } }
      }
    }
  }

  func accumulate(_ v: Variable, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
    if nodes[v.id].grad == nil {
      nodes[v.id].grad = [Float](repeating: 0, count: nodes[v.id].value.count)
    }
    nodes[v.id].grad!.withUnsafeMutableBufferPointer { body($0) }
  }

  /// Back-propagates from a scalar `loss` (seeded with 1), adding into each `Parameter.grad`.
  public func backward(from loss: Variable) {
    propagate(from: loss) { p, grad in
      p.grad.withUnsafeMutableBufferPointer { a in
        grad.withUnsafeBufferPointer { b in for i in 0..<a.count { a[i] += b[i] } }
      }
    }
  }

  /// Back-propagates from a scalar `loss` and returns the gradient of each of `parameters`, in
  /// that order (zeros for one the loss does not read), without touching `Parameter.grad`.
  public func gradients(from loss: Variable, of parameters: [Parameter]) -> [[Float]] {
    var slots: [ObjectIdentifier: Int] = [:]
    for (i, p) in parameters.enumerated() { slots[ObjectIdentifier(p)] = i }
    var out = parameters.map { [Float](repeating: 0, count: $0.grad.count) }
    propagate(from: loss) { p, grad in
      guard let slot = slots[ObjectIdentifier(p)] else { return }
      out[slot].withUnsafeMutableBufferPointer { a in
        grad.withUnsafeBufferPointer { b in for i in 0..<a.count { a[i] += b[i] } }
      }
    }
    return out
  }

  /// Walks the tape in reverse from `loss`, handing each parameter node's gradient to `sink`.
  private func propagate(from loss: Variable, sink: (Parameter, [Float]) -> Void) {
    precondition(nodes[loss.id].value.count == 1, "backward starts from a scalar")
    nodes[loss.id].grad = [1]
    for id in stride(from: loss.id, through: 0, by: -1) {
      guard let grad = nodes[id].grad else { continue }
      if let rule = nodes[id].backward { rule(self, grad) }
      if let p = nodes[id].parameter { sink(p, grad) }
      nodes[id].grad = nil  // free memory as we go
    }
  }
}
