public import FairflowCore
internal import FairflowBase

/// `fairflow dag`: the stage graph as ASCII, Graphviz dot, Mermaid or JSON.
public enum DagRenderer {
  public enum Format: String, Sendable, CaseIterable { case ascii, dot, mermaid, json }

  public static func render(_ pipeline: Pipeline, graph: Graph, format: Format) -> String {
    let stages = pipeline.stages
    switch format {
    case .ascii:
      var out = ""
      for index in graph.order {
        let ups = graph.upstream[index].map { stages[$0].name }
        out +=
          ups.isEmpty
          ? "\(stages[index].name)\n" : "\(stages[index].name) <- \(ups.joined(separator: ", "))\n"
      }
      return out
    case .dot:
      var out =
        "digraph \(Value.quote(pipeline.name.isEmpty ? "pipeline" : pipeline.name)) {\n  rankdir=LR;\n"
      for index in graph.order { out += "  \(Value.quote(stages[index].name));\n" }
      for index in graph.order {
        for up in graph.upstream[index] {
          out += "  \(Value.quote(stages[up].name)) -> \(Value.quote(stages[index].name));\n"
        }
      }
      return out + "}\n"
    case .mermaid:
      var out = "graph LR\n"
      for index in graph.order {
        out += "  s\(index)[\"\(stages[index].name.replacingQuotes())\"]\n"
      }
      for index in graph.order {
        for up in graph.upstream[index] { out += "  s\(up) --> s\(index)\n" }
      }
      return out
    case .json:
      let nodes = graph.order.map { index -> Value in
        .map([
          ("name", .string(stages[index].name)),
          ("command", .string(stages[index].recordedCommand)),
          ("deps", .list(stages[index].deps.map(Value.string))),
          ("outs", .list(stages[index].outputs.map { .string($0.path) })),
          ("upstream", .list(graph.upstream[index].map { .string(stages[$0].name) })),
        ])
      }
      return Value.map([
        ("schema", .int(1)), ("pipeline", .string(pipeline.name)), ("stages", .list(nodes)),
      ]).canonicalText + "\n"
    }
  }
}

extension String {
  fileprivate func replacingQuotes() -> String { String(map { $0 == "\"" ? "'" : $0 }) }
}
