public import FairflowBase
/// Turns a `PipelineSpec` into a `Pipeline`: applies `-p key=value` overrides, expands `matrix:`
/// into concrete stages (`train@seed=3`), interpolates `${...}`, normalises paths and validates
/// built-in configurations. Pure: no file system access.
public struct PipelineExpander {
  public var registry: StageKindRegistry

  public init(registry: StageKindRegistry = StageKindRegistry()) {
    self.registry = registry
  }

  public func expand(_ spec: PipelineSpec, overrides: [String] = []) throws(PipelineError)
    -> Pipeline
  {
    let params = try ParamOverrides.apply(overrides, to: spec.params, spec: spec)
    var pipeline = Pipeline(
      file: spec.file, name: spec.name, description: spec.description, params: params, stages: [],
      slurm: spec.slurm, sourceLines: spec.sourceLines)
    var seen: [String: SourceLocation] = [:]
    for stageSpec in spec.stages {
      for combination in MatrixCombinations(stageSpec.matrix?.value ?? []) {
        let stage = try concrete(stageSpec, matrix: combination, params: .map(params), spec: spec)
        if let first = seen[stage.name] {
          if first == stage.location {
            throw spec.error(
              "the matrix of stage '\(stageSpec.name.value)' produces '\(stage.name)' twice",
              at: stageSpec.matrix?.location ?? stage.location,
              hint: "the values of each matrix key must be distinct")
          }
          throw spec.error(
            "two stages are named '\(stage.name)' (the other is at line \(first.line))",
            at: stage.location)
        }
        seen[stage.name] = stage.location
        pipeline.stages.append(stage)
        if pipeline.stages.count > MatrixLimits.maxStagesPerPipeline {
          throw spec.error(
            "the pipeline expands to more than \(MatrixLimits.maxStagesPerPipeline) stages",
            at: stageSpec.name.location, hint: "reduce the matrix sizes")
        }
      }
    }
    return pipeline
  }

  private func concrete(
    _ spec: StageSpec, matrix: [(key: String, value: Value)], params: Value, spec file: PipelineSpec
  ) throws(PipelineError) -> Stage {
    var interpolator = Interpolator(params: params, matrix: matrix)
    let name =
      matrix.isEmpty
      ? spec.name.value
      : spec.name.value + "@"
        + matrix.map { "\($0.key)=\($0.value.interpolationText)" }.joined(separator: ",")

    func text(_ located: Located<String>) throws(PipelineError) -> String {
      do { return try interpolator.string(located.value) } catch {
        throw file.failure(error, at: located.location, expression: interpolator.currentExpression)
      }
    }
    func path(_ located: Located<String>, role: String) throws(PipelineError) -> String {
      let raw = try text(located)
      switch WorkspacePath.normalize(raw) {
      case .success(let normalized): return normalized
      case .failure(let problem):
        throw file.error(
          "invalid \(role) path '\(raw)' in stage '\(name)': \(problem.explanation)",
          at: located.location)
      }
    }

    var deps: [String] = []
    var depLocations: [SourceLocation] = []
    for dep in spec.deps {
      let normalized = try path(dep, role: "dependency")
      if !deps.contains(normalized) {
        deps.append(normalized)
        depLocations.append(dep.location)
      }
    }
    var outputs: [Output] = []
    var outputLocations: [SourceLocation] = []
    for (list, isMetric) in [(spec.outs, false), (spec.metrics, true)] {
      for out in list {
        let normalized = try path(out.path, role: isMetric ? "metrics" : "output")
        if outputs.contains(where: { $0.path == normalized }) {
          throw file.error(
            "stage '\(name)' declares output '\(normalized)' twice", at: out.path.location)
        }
        outputs.append(
          Output(path: normalized, cache: out.cache, persist: out.persist, isMetric: isMetric))
        outputLocations.append(out.path.location)
      }
    }
    var env: [String: String] = [:]
    for pair in file.env + spec.env { env[pair.key.value] = try text(pair.value) }
    for param in spec.params {
      let parts = param.value.split(separator: ".", omittingEmptySubsequences: false)
      guard params.lookup(parts[...]) != nil else {
        throw file.error(
          "stage '\(name)' lists unknown parameter '\(param.value)'", at: param.location,
          hint: Suggestion.hint(
            for: param.value, in: Interpolator.parameterNames(.map(file.params))))
      }
      interpolator.usedParams.insert(param.value)
    }

    let action: StageAction
    if let cmd = spec.cmd {
      interpolator.lists = [
        "deps": deps.map(WorkspacePath.shellQuoted).joined(separator: " "),
        "outs": outputs.filter { !$0.isMetric }.map { WorkspacePath.shellQuoted($0.path) }.joined(
          separator: " "),
        "metrics": outputs.filter(\.isMetric).map { WorkspacePath.shellQuoted($0.path) }.joined(
          separator: " "),
      ]
      action = .command(try text(cmd))
    } else {
      action = try builtin(spec, stageName: name, interpolator: &interpolator, file: file)
    }
    let used = interpolator.usedParams.sorted().map { key in
      (
        name: key,
        value: params.lookup(key.split(separator: ".", omittingEmptySubsequences: false)[...])
          ?? .null
      )
    }
    var stage = Stage(
      name: name, template: spec.name.value, location: spec.name.location, action: action,
      deps: deps, depLocations: depLocations, outputs: outputs, outputLocations: outputLocations,
      params: used,
      env: env.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
      resources: spec.resources, alwaysRun: spec.alwaysRun, matrix: matrix,
      description: spec.description, executor: spec.executor)
    if let declared = spec.reproducibility {
      stage.reproducibility = declared
    } else if case .builtin(let kind, _, _) = action, let kind = registry[kind] {
      stage.reproducibility = kind.reproducibility
    }
    return stage
  }

  private func builtin(
    _ spec: StageSpec, stageName: String, interpolator: inout Interpolator, file: PipelineSpec
  ) throws(PipelineError) -> StageAction {
    let uses = spec.uses!
    guard let kind = registry[uses.value] else {
      let known = registry.names
      throw file.error(
        "unknown stage kind '\(uses.value)' in stage '\(stageName)'", at: uses.location,
        hint: Suggestion.hint(for: uses.value, in: known)
          ?? (known.isEmpty
            ? "this build of fairflow has no built-in stage kinds; use 'cmd:'"
            : "known kinds are: \(known.joined(separator: ", "))"))
    }
    let location = spec.with?.location ?? uses.location
    let raw: Value
    do { raw = try Self.interpolate(spec.with?.value ?? .null, with: &interpolator) } catch {
      throw file.failure(error, at: location, expression: interpolator.currentExpression)
    }
    let reader = try ConfigReader(stage: stageName, config: raw, location: location) {
      problem, hint in
      file.error(problem, at: location, hint: hint)
    }
    let config = try kind.validate(reader)
    return .builtin(kind: kind.name, version: kind.version, config: config)
  }

  static func interpolate(_ value: Value, with interpolator: inout Interpolator) throws(Interpolator
    .Failure) -> Value
  {
    switch value {
    case .string(let s): return try interpolator.value(of: s)
    case .list(let items):
      var result: [Value] = []
      for item in items { result.append(try interpolate(item, with: &interpolator)) }
      return .list(result)
    case .map(let pairs):
      var result: [(key: String, value: Value)] = []
      for pair in pairs {
        result.append((pair.key, try interpolate(pair.value, with: &interpolator)))
      }
      return .map(result)
    default: return value
    }
  }
}

extension PipelineSpec {
  /// An interpolation error, pointing at the `${expression}` itself when it is on the line.
  func failure(_ failure: Interpolator.Failure, at location: SourceLocation, expression: String)
    -> PipelineError
  {
    var place = location
    if let first = line(at: location) {
      // A multi-line value (block scalar, folded plain scalar, list, mapping) continues on the
      // lines below: those indented at least as far as the node when it starts its line, or
      // further than its line when it starts after `key:`.
      let startsLine = first.prefix(max(0, location.column - 1)).allSatisfy {
        $0 == " " || $0 == "-"
      }
      let minimumIndent =
        startsLine ? location.column - 1 : first.prefix { $0 == " " }.count + 1
      var index = location.line - 1, from = location.column - 1
      while sourceLines.indices.contains(index) {
        let text = String(sourceLines[index])
        let indent = text.prefix { $0 == " " }.count
        if index > location.line - 1, indent < text.count, indent < minimumIndent { break }
        if let column = Self.column(of: "${" + expression, in: text, from: from) {
          place = SourceLocation(file: location.file, line: index + 1, column: column)
          break
        }
        index += 1
        from = 0
      }
    }
    switch failure {
    case .unknown(let problem, let hint): return error(problem, at: place, hint: hint)
    }
  }

  /// 1-based column (in Unicode scalars, as YAML marks count) of `needle` at or after `start`.
  static func column(of needle: String, in line: String, from start: Int) -> Int? {
    let scalars = Array(line.unicodeScalars), target = Array(needle.unicodeScalars)
    guard start >= 0, !target.isEmpty, start <= scalars.count - target.count else { return nil }
    for offset in start...(scalars.count - target.count)
    where Array(scalars[offset..<offset + target.count]) == target {
      return offset + 1
    }
    return nil
  }
}

/// The cartesian product of matrix axes, in declaration order (first axis varies slowest).
struct MatrixCombinations: Sequence, IteratorProtocol {
  let axes: [(key: String, values: [Value])]
  var counters: [Int]
  var done: Bool

  init(_ axes: [(key: String, values: [Value])]) {
    self.axes = axes
    self.counters = Array(repeating: 0, count: axes.count)
    self.done = false
  }

  mutating func next() -> [(key: String, value: Value)]? {
    if done { return nil }
    let current = axes.indices.map { (key: axes[$0].key, value: axes[$0].values[counters[$0]]) }
    var axis = axes.count - 1
    while axis >= 0 {
      counters[axis] += 1
      if counters[axis] < axes[axis].values.count { break }
      counters[axis] = 0
      axis -= 1
    }
    if axis < 0 { done = true }
    return current
  }
}

/// `-p key=value` overrides: the key must name an existing parameter (dotted for nested maps);
/// the value is typed exactly as the same text written unquoted in the pipeline file
/// (`NodeReader.scalarValue`), so `-p x=1e3` and `params: {x: 1e3}` give one value and one
/// fingerprint. The text stays a single scalar: `[1, 2]` is a string, not a list.
/// `-p key:=JSON` gives the value as JSON instead (as HTTPie's `:=`): lists, maps and strings
/// exactly (`-p sizes:=[64,32]`, `-p tag:='"007"'`).
public enum ParamOverrides {
  public static func apply(
    _ overrides: [String], to params: [(key: String, value: Value)], spec: PipelineSpec
  ) throws(PipelineError) -> [(key: String, value: Value)] {
    var root = Value.map(params)
    for override in overrides {
      guard let equals = override.firstIndex(of: "="), equals != override.startIndex else {
        throw PipelineError("invalid parameter override '\(override)'", hint: "write -p NAME=VALUE")
      }
      var key = String(override[..<equals])
      let isJSON = key.hasSuffix(":") && key.count > 1
      if isJSON { key.removeLast() }
      let path = key.split(separator: ".", omittingEmptySubsequences: false)
      guard root.lookup(path[...]) != nil else {
        throw PipelineError(
          "unknown parameter '\(key)' in -p \(override) (pipeline \(spec.file))",
          hint: Suggestion.hint(for: key, in: Interpolator.parameterNames(.map(spec.params)))
            ?? "declared parameters: \(spec.params.map(\.key).joined(separator: ", "))")
      }
      let text = String(override[override.index(after: equals)...])
      let value: Value
      if isJSON {
        do { value = try JSONParser.parse(text, file: "-p \(key):=") } catch {
          throw PipelineError(
            "invalid JSON in -p \(override): \(error.problem)",
            hint: "NAME:=VALUE takes JSON (a string needs its quotes: -p \(key):='\"text\"')")
        }
        root = replacing(path[...], in: root, with: value)
        continue
      }
      do {
        value = try NodeReader.plainScalarValue(text)
      } catch {
        throw PipelineError(
          "\(error.problem) in -p \(override)",
          hint: "-p values are typed like unquoted values in the pipeline file; there, quote it to "
            + "use it as a string")
      }
      root = replacing(path[...], in: root, with: value)
    }
    guard case .map(let pairs) = root else { return params }
    return pairs
  }

  static func replacing(_ path: ArraySlice<Substring>, in value: Value, with replacement: Value)
    -> Value
  {
    guard let first = path.first, case .map(var pairs) = value,
      let index = pairs.firstIndex(where: { $0.key == first })
    else { return replacement }
    pairs[index].value = replacing(path.dropFirst(), in: pairs[index].value, with: replacement)
    return .map(pairs)
  }
}
