public import FairflowBase
internal import FairflowCore

extension Tracer.Node {
  /// The chain as an indented tree ending at DOIs/URLs and source files.
  public func text() -> String {
    var out = ""
    render(into: &out, prefix: "", childPrefix: "")
    return out
  }

  private func render(into out: inout String, prefix: String, childPrefix: String) {
    out += prefix + "\(path)  sha256:\(sha256.prefix(16))…  \(Tracer.Node.bytes(size))\n"
    var details: [String] = []
    if let producer {
      var line = "made by stage '\(producer.stage)' in run \(producer.run)"
      if let restoredBy { line += " (restored by run \(restoredBy.run))" }
      details.append(line)
      if repeated {
        details.append("(inputs shown above)")
      } else {
        details.append("command: \(producer.command ?? producer.kind)")
        if !producer.params.isEmpty {
          details.append(
            "params: "
              + producer.params.map { "\($0.key)=\($0.value.interpolationText)" }.joined(
                separator: ", "))
        }
        let code = Value.map(producer.context.code)
        if let commit = code["commit"]?.stringValue {
          var line = "code: \(commit.prefix(12))"
          if let branch = code["branch"]?.stringValue { line += " (\(branch))" }
          if code["dirty"] == .bool(true) { line += ", uncommitted changes" }
          details.append(line)
        } else {
          details.append("code: not in git")
        }
        let host = Value.map(producer.context.host)["hostname"]?.stringValue ?? "?"
        details.append("ran \(producer.started) on \(host), \(producer.outcome.rawValue)")
      }
    }
    if let origin {
      var line = "fetched from " + (origin.doi.map { "doi:\($0)" } ?? origin.url ?? "?")
      var extras: [String] = []
      if origin.doi != nil, let url = origin.url { extras.append(url) }
      if let checksum = origin.checksum { extras.append(checksum) }
      if let retrieved = origin.retrieved { extras.append("retrieved \(retrieved)") }
      if !extras.isEmpty { line += " (" + extras.joined(separator: ", ") + ")" }
      details.append(line)
    }
    if let source { details.append(source) }
    for reproduction in reproductions { details.append(reproduction.summaryLine) }
    let lastIsChild = !inputs.isEmpty
    for (i, detail) in details.enumerated() {
      let isLast = i == details.count - 1 && !lastIsChild
      out += childPrefix + (isLast ? "└─ " : "│  ") + detail + "\n"
    }
    for (i, input) in inputs.enumerated() {
      let last = i == inputs.count - 1
      input.render(
        into: &out, prefix: childPrefix + (last ? "└─ " : "├─ "),
        childPrefix: childPrefix + (last ? "   " : "│  "))
    }
  }

  static func bytes(_ n: Int) -> String {
    if n < 1024 { return "\(n) B" }
    let units = ["KiB", "MiB", "GiB", "TiB"]
    var value = Double(n) / 1024
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return "\((value * 10).rounded() / 10) \(units[unit])"
  }

  /// `--json`: the same tree as nested objects.
  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("path", .string(path)), ("sha256", .string(sha256)), ("size", .int(size)),
    ]
    if let producer {
      fields.append(
        (
          "producer",
          .map([
            ("run", .string(producer.run)), ("stage", .string(producer.stage)),
            ("pipeline", .string(producer.pipeline)),
            ("command", producer.command.map(Value.string) ?? .null),
            ("params", .map(producer.params)), ("started", .string(producer.started)),
            ("code", .map(producer.context.code)),
          ])
        ))
    } else {
      fields.append(("producer", .null))
    }
    if let restoredBy { fields.append(("restored_by_run", .string(restoredBy.run))) }
    if let origin { fields.append(("origin", origin.value)) }
    if let source { fields.append(("source", .string(source))) }
    if repeated { fields.append(("repeated", .bool(true))) }
    if !reproductions.isEmpty {
      fields.append(
        (
          "reproductions",
          .list(
            reproductions.map { r in
              .map([
                ("id", .string(r.id)), ("result", .string(r.result)),
                ("host", .string(r.hostname)), ("ended", .string(r.ended)),
                ("source", .string(r.source)),
              ])
            })
        ))
    }
    fields.append(("inputs", .list(inputs.map(\.value))))
    return .map(fields)
  }
}
