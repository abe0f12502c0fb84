/// How a branch's entries are encoded in its baskets (reference §3.6), decided from its class,
/// leaves and element class; anything else is rejected with the reason.
enum BranchLayout: Equatable {
  /// `fLen` values per entry (flat scalar or fixed array).
  case fixed(ElementType, innerShape: [Int])
  /// `x[n]`: items of `innerShape` values, counted by the entry's byte length.
  case leafCount(ElementType, innerShape: [Int], counter: String)
  /// Top-level `std::vector<T>` / `RVec<T>`: a 10-byte header and an i32 size per entry.
  case vector(ElementType)
  /// char*: one TString per entry.
  case string

  static func of(_ branch: Branch) throws(ROOTError) -> BranchLayout {
    if branch.className == "TBranchElement" {
      let cls = branch.elementClassName ?? "?"
      guard branch.subBranches.isEmpty, branch.elementKind == 0, branch.elementID == -1,
        branch.leaves.count == 1, branch.leaves[0].className == "TLeafElement"
      else {
        throw ROOTError(
          "unsupported branch '\(branch.name)': split object or collection (class \(cls), fType \(branch.elementKind), fID \(branch.elementID), \(branch.subBranches.count) sub-branches)"
        )
      }
      guard let element = vectorElement(cls) else {
        throw ROOTError("unsupported branch '\(branch.name)': class \(cls)")
      }
      return .vector(element)
    }
    guard branch.className == "TBranch" else {
      throw ROOTError("unsupported branch '\(branch.name)': class \(branch.className)")
    }
    guard branch.leaves.count == 1 else {
      throw ROOTError(
        "unsupported branch '\(branch.name)': \(branch.leaves.count) leaves (leaf-list structs are not supported)"
      )
    }
    let leaf = branch.leaves[0]
    let type: ElementType
    switch leaf.className {
    case "TLeafO": type = .bool
    case "TLeafB": type = leaf.isUnsigned ? .uint8 : .int8
    case "TLeafS": type = leaf.isUnsigned ? .uint16 : .int16
    case "TLeafI": type = leaf.isUnsigned ? .uint32 : .int32
    case "TLeafL", "TLeafG": type = leaf.isUnsigned ? .uint64 : .int64
    case "TLeafF": type = .float32
    case "TLeafD": type = .float64
    case "TLeafC": return .string
    default:
      throw ROOTError(
        "unsupported branch '\(branch.name)': unsupported leaf class \(leaf.className)")
    }
    guard leaf.length <= 1 << 24 else {
      throw ROOTError.corrupt("leaf '\(leaf.name)' claims \(leaf.length) values per entry")
    }
    let dims = dimensions(leaf.title)
    var inner = dims.compactMap { Int($0) }.filter { $0 > 0 && $0 <= 1 << 24 }
    var product = 1
    for d in inner {
      let (p, overflow) = product.multipliedReportingOverflow(by: d)
      product = overflow ? -1 : p
      if overflow { break }
    }
    if product != max(leaf.length, 1) { inner = leaf.length > 1 ? [leaf.length] : [] }
    if let counter = leaf.countBranch {
      return .leafCount(type, innerShape: inner, counter: counter)
    }
    return .fixed(type, innerShape: inner)
  }

  /// The bracketed dimensions of a leaf title: `"m[2][3]"` → ["2", "3"], `"x[n]"` → ["n"].
  static func dimensions(_ title: String) -> [String] {
    var out: [String] = []
    var rest = title[...]
    while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
      out.append(String(rest[rest.index(after: open)..<close]))
      rest = rest[rest.index(after: close)...]
    }
    return out
  }

  /// The element type of `vector<T>`, `vector<T,Alloc>` or `ROOT::VecOps::RVec<T>`.
  static func vectorElement(_ className: String) -> ElementType? {
    var name = className.replacing("std::", with: "")
    for prefix in ["vector<", "ROOT::VecOps::RVec<", "ROOT::RVec<"] where name.hasPrefix(prefix) {
      name = String(name.dropFirst(prefix.count))
      guard name.hasSuffix(">") else { return nil }
      name = String(name.dropLast())
      if let comma = name.firstIndex(of: ",") { name = String(name[..<comma]) }
      name = name.trimmingSpaces
      switch name {
      case "bool": return .bool
      case "char", "Char_t", "int8_t": return .int8
      case "unsigned char", "UChar_t", "uint8_t": return .uint8
      case "short", "Short_t", "int16_t": return .int16
      case "unsigned short", "UShort_t", "uint16_t": return .uint16
      case "int", "Int_t", "int32_t": return .int32
      case "unsigned int", "UInt_t", "uint32_t": return .uint32
      case "long", "long long", "Long64_t", "Long_t", "int64_t": return .int64
      case "unsigned long", "unsigned long long", "ULong64_t", "ULong_t", "uint64_t": return .uint64
      case "float", "Float_t": return .float32
      case "double", "Double_t": return .float64
      default: return nil
      }
    }
    return nil
  }
}

extension String {
  var trimmingSpaces: String {
    var s = self[...]
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}

extension Branch {
  /// Whether this reader can decode the branch's values.
  public var isReadable: Bool { (try? BranchLayout.of(self)) != nil }
}
