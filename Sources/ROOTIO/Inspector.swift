extension ROOTFile {
  /// A readable outline: directories, trees and RNTuples with their entry counts, branches and
  /// fields with types (like uproot's `show()`), other objects by class. Unsupported branches
  /// and fields say why.
  public func outline() throws(ROOTError) -> String {
    let v = version
    var out =
      "\(path)  (ROOT \(v / 10000).\(String(v / 100 % 100).leftPad(2))/\(String(v % 100).leftPad(2)))\n"
    for entry in try entries() {
      // Key names are arbitrary bytes: an empty or all-slash name has no components.
      let depth = max(0, entry.path.split(separator: "/").count - 1)
      let indent = String(repeating: "  ", count: depth)
      let name = entry.path.split(separator: "/").last.map(String.init) ?? entry.path
      if entry.isDirectory {
        out += "\(indent)\(name)/\n"
      } else if entry.isTree {
        do {
          let tree = try tree(entry.path)
          out += "\(indent)\(name)  \(entry.className)  \(tree.entries) entries"
          out += tree.title.isEmpty ? "\n" : "  \"\(tree.title)\"\n"
          let width = max(8, tree.allBranches.map(\.name.count).max() ?? 8)
          for branch in tree.allBranches {
            out += "\(indent)  \(branch.name.padding(width))  \(Self.describe(branch))\n"
          }
        } catch {
          out += "\(indent)\(name)  \(entry.className)  unreadable: \(error.message)\n"
        }
      } else if entry.isRNTuple {
        out += rntupleOutline(entry.path, name: name, indent: indent)
      } else {
        out += "\(indent)\(name)  \(entry.className)\n"
      }
    }
    return out
  }

  /// An RNTuple's line and one line per field: name, what reading gives, the C++ type.
  func rntupleOutline(_ path: String, name: String, indent: String) -> String {
    do {
      let ntuple = try rntuple(path)
      var out =
        "\(indent)\(name)  \(RNTuple.className)  \(ntuple.entries) entries  "
        + "\(ntuple.clusterCount) clusters\n"
      let width = max(8, ntuple.fields.map(\.name.count).max() ?? 8)
      for field in ntuple.fields {
        let what = field.problem.map { "unsupported: " + $0 } ?? field.shape
        out += "\(indent)  \(field.name.padding(width))  \(what)  (\(field.typeName))\n"
      }
      return out
    } catch {
      return "\(indent)\(name)  \(RNTuple.className)  unreadable: \(error.message)\n"
    }
  }

  static func describe(_ branch: Branch) -> String {
    do {
      switch try BranchLayout.of(branch) {
      case .fixed(let type, let inner):
        return type.rawValue + inner.map { "[\($0)]" }.joined()
      case .leafCount(let type, let inner, let counter):
        return type.rawValue + "[\(counter)]" + inner.map { "[\($0)]" }.joined() + "  jagged"
      case .vector(let type):
        return "vector<\(type.rawValue)>  jagged"
      case .string:
        return "string"
      }
    } catch {
      return "unsupported: " + error.message
    }
  }
}

extension String {
  func leftPad(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }

  func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
