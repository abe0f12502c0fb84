internal import FairflowBase
internal import HDF5
internal import NeuralKit

/// BraggNN patches after braggnn.md §7.2: a pseudo-Voigt spot in its own rotated frame at a
/// sub-pixel centre, detector noise, dark subtraction, a threshold (real frames are thresholded),
/// optionally a weaker neighbouring spot near the border, clean_patch (§2.2 step 5) and per-patch
/// min-max normalisation. Values are sampled at pixel centres; pixel (r, c) is centred at (r, c).
enum BraggPeaks {
  static let size = 11

  /// I = μ·L + (1 − μ)·G in the frame (u, v) = R(φ)·(c − x0, r − y0).
  struct Spot {
    var x: Double, y: Double, cosPhi: Double, sinPhi: Double
    var sigmaU: Double, sigmaV: Double, gammaU: Double, gammaV: Double, mu: Double

    init(x: Double, y: Double, _ d: inout Draw) {
      self.x = x
      self.y = y
      let turn = d.uniform()  // φ = π·turn
      (cosPhi, sinPhi) = (Kernels.cosPi(turn), Kernels.sinPi(turn))
      (sigmaU, sigmaV) = (d.uniform(0.5, 2), d.uniform(0.5, 2))
      (gammaU, gammaV) = (d.uniform(0.5, 2), d.uniform(0.5, 2))
      mu = d.uniform()
    }

    func value(column c: Int, row r: Int) -> Double {
      let (dx, dy) = (Double(c) - x, Double(r) - y)
      let u = cosPhi * dx + sinPhi * dy
      let v = -sinPhi * dx + cosPhi * dy
      let g = Kernels.exp(-0.5 * (u * u / (sigmaU * sigmaU) + v * v / (sigmaV * sigmaV)))
      let l = 1 / ((1 + u * u / (gammaU * gammaU)) * (1 + v * v / (gammaV * gammaV)))
      return mu * l + (1 - mu) * g
    }
  }

  static func write(count n: Int, seed: UInt64, to path: String) throws {
    var d = Draw(g: SeededGenerator(seed: seed))
    var patches = [Float](repeating: 0, count: n * size * size)
    var ploc = [Float]()
    for i in 0..<n {
      // Centre in [psz//2, psz//2 + 1) (the label convention, §2.3) plus an integer shift of
      // −1, 0 or 1 (aug = 1): [4, 7) on both axes.
      let x0 = Double(size / 2) + d.uniform() + Double(d.integer(-1...1))
      let y0 = Double(size / 2) + d.uniform() + Double(d.integer(-1...1))
      let amplitude = 300 * Kernels.exp(d.uniform() * Kernels.log(50))  // 300–15,000, log-uniform
      let background = d.uniform(0, 100)
      let readNoise = d.uniform(0, 10)
      let spot = Spot(x: x0, y: y0, &d)
      // In 30% of patches a weaker reflection sits near the border, more than 3 px away; where it
      // touches the main spot above threshold it survives clean_patch, as in real frames.
      var neighbour: (spot: Spot, amplitude: Double)?
      if d.uniform() < 0.3 {
        let t = d.uniform(0, Double(size - 1))
        let edge = [0.5, Double(size) - 1.5][d.integer(0...1)]
        let (nx, ny) = d.uniform() < 0.5 ? (t, edge) : (edge, t)
        let other = Spot(x: nx, y: ny, &d)
        let scale = amplitude * d.uniform(0.1, 0.5)
        if ((nx - x0) * (nx - x0) + (ny - y0) * (ny - y0)).squareRoot() > 3 {
          neighbour = (other, scale)
        }
      }
      let threshold = d.uniform(0.02, 0.1) * amplitude
      var counts = [Double](repeating: 0, count: size * size)
      for r in 0..<size {
        for c in 0..<size {
          var mean = background + amplitude * spot.value(column: c, row: r)
          if let neighbour { mean += neighbour.amplitude * neighbour.spot.value(column: c, row: r) }
          // Counts with variance I + read noise² (Gaussian form), then the dark is subtracted
          // and pixels below threshold are zeroed.
          let v = d.normal(mean, (mean + readNoise * readNoise).squareRoot()) - background
          counts[r * size + c] = v < threshold ? 0 : v
        }
      }
      cleanPatch(&counts, row: y0, column: x0)
      let lo = counts.min()!
      let hi = counts.max()!
      for k in 0..<(size * size) {
        patches[i * size * size + k] = Float(hi > lo ? (counts[k] - lo) / (hi - lo) : counts[k])
      }
      ploc += [Float(x0 / Double(size)), Float(y0 / Double(size))]
    }
    let file = try HDF5File.create(path)
    defer { file.close() }
    try file.attributes.set("generator", to: "bragg-peaks/2")
    try file.attributes.set("seed", to: Int64(bitPattern: seed))
    let options = HDF5DatasetOptions(chunkRows: 4096, compressionLevel: 1, shuffle: true)
    _ = try file.root.createDataset(
      "patch", values: patches, shape: [n, 1, size, size], options: options)
    _ = try file.root.createDataset("ploc", values: ploc, shape: [n, 2], options: options)
    try file.flush()
  }

  /// braggnn.md §2.2 step 5: label the 8-connected components of the nonzero pixels; with more
  /// than one, keep the component whose local maxima (3×3, not on the 1-px border) have their mean
  /// closest to the peak position and zero the rest. Components without a local maximum are
  /// skipped.
  static func cleanPatch(_ p: inout [Double], row y0: Double, column x0: Double) {
    var label = [Int](repeating: 0, count: size * size)
    var components = 0
    for start in 0..<(size * size) where p[start] > 0 && label[start] == 0 {
      components += 1
      label[start] = components
      var stack = [start]
      while let k = stack.popLast() {
        let (r, c) = (k / size, k % size)
        for dr in -1...1 {
          for dc in -1...1 {
            let (rr, cc) = (r + dr, c + dc)
            guard rr >= 0, rr < size, cc >= 0, cc < size else { continue }
            let j = rr * size + cc
            if p[j] > 0 && label[j] == 0 {
              label[j] = components
              stack.append(j)
            }
          }
        }
      }
    }
    guard components > 1 else { return }
    var sums = [(row: Double, column: Double, count: Int)](
      repeating: (0, 0, 0), count: components + 1)
    for r in 1..<(size - 1) {
      for c in 1..<(size - 1) where p[r * size + c] > 0 {
        var isMaximum = true
        for dr in -1...1 {
          for dc in -1...1 where p[(r + dr) * size + c + dc] > p[r * size + c] {
            isMaximum = false
          }
        }
        if isMaximum {
          let l = label[r * size + c]
          sums[l] = (sums[l].row + Double(r), sums[l].column + Double(c), sums[l].count + 1)
        }
      }
    }
    var keep = 0
    var best = Double.infinity
    for l in 1...components where sums[l].count > 0 {
      let (mr, mc) = (sums[l].row / Double(sums[l].count), sums[l].column / Double(sums[l].count))
      let distance = ((mr - y0) * (mr - y0) + (mc - x0) * (mc - x0)).squareRoot()
      if distance < best { (best, keep) = (distance, l) }
    }
    guard keep > 0 else { return }
    for k in 0..<(size * size) where label[k] != keep { p[k] = 0 }
  }
}
