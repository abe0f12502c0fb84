/// One cluster of an RNTuple (specification 1.0, "Footer Envelope", "Page List Envelope"): an
/// entry range and, for every physical column, where that column's elements for the range are.
///
///     footer: feature flags, header checksum, schema extension, cluster groups
///       cluster group: min entry, entry span, cluster count, page list envelope link
///     page list: header checksum, cluster summaries (first entry, entries | flags << 56),
///       per cluster, per column: [page: elements (negative: checksummed), locator]…,
///       element offset (negative: suppressed), compression settings
struct RNTupleCluster: Sendable {
  struct Page: Sendable {
    var elements: Int
    var locator: Locator
    /// An XXH3-64 of the stored page follows it on disk.
    var checksum: Bool
  }

  struct ColumnPages: Sendable {
    /// Index of the column's first element in this cluster (counted over the whole RNTuple).
    var firstElement: Int
    var pages: [Page]
    /// Elements in this cluster (the sum over its pages).
    var elements: Int
    var suppressed: Bool
  }

  var firstEntry: Int
  var entries: Int
  var columns: [ColumnPages]

  /// Reads the footer's cluster groups and their page lists; clusters come back in entry order,
  /// checked to tile `0..<entries` with no gap or overlap.
  static func clusters(
    footer c: inout EnvelopeCursor, schema: inout RNTupleSchema, file: ROOTFile
  ) throws(ROOTError) -> [RNTupleCluster] {
    try c.featureFlags("the footer")
    _ = try c.u64("header checksum")
    let extensionFrame = try c.frame("schema extension", list: false)
    try c.within(extensionFrame) { (c: inout EnvelopeCursor) throws(ROOTError) in
      if c.remaining > 0 { try schema.describe(&c) }
    }
    let groups = try c.frame("cluster group list", list: true)
    var clusters: [RNTupleCluster] = []
    try c.within(groups) { (c: inout EnvelopeCursor) throws(ROOTError) in
      for g in 0..<groups.items {
        let frame = try c.frame("cluster group \(g)", list: false)
        let (link, length) = try c.within(frame) {
          (c: inout EnvelopeCursor) throws(ROOTError) -> (Locator, Int) in
          _ = try c.u64("minimum entry")
          _ = try c.u64("entry span")
          _ = try c.u32("cluster count")
          let length = try c.count64("page list length")
          return (try Locator(&c, "page list"), length)
        }
        var p = try file.envelope(link, length: length, type: 3, "page list \(g)")
        clusters += try pageList(&p, columns: schema.columns.count)
      }
    }
    clusters.sort { $0.firstEntry < $1.firstEntry }
    var next = 0
    for cluster in clusters {
      guard cluster.firstEntry == next else {
        throw .corrupt("cluster at entry \(cluster.firstEntry), expected \(next)")
      }
      next += cluster.entries
    }
    return clusters
  }

  static func pageList(_ c: inout EnvelopeCursor, columns: Int) throws(ROOTError)
    -> [RNTupleCluster]
  {
    _ = try c.u64("header checksum")
    var clusters: [RNTupleCluster] = []
    let summaries = try c.frame("cluster summaries", list: true)
    try c.within(summaries) { (c: inout EnvelopeCursor) throws(ROOTError) in
      for i in 0..<summaries.items {
        let frame = try c.frame("cluster summary \(i)", list: false)
        let cluster = try c.within(frame) {
          (c: inout EnvelopeCursor) throws(ROOTError) -> RNTupleCluster in
          let first = try c.count64("first entry")
          let word = try c.u64("entry count")
          guard word >> 56 & 0x01 == 0 else {
            throw ROOTError("cluster \(i) is sharded (flag 0x01), not supported")
          }
          let entries = Int(word & 0x00FF_FFFF_FFFF_FFFF)
          guard first <= Int.max - entries else { throw .corrupt("cluster \(i) entry range") }
          return RNTupleCluster(firstEntry: first, entries: entries, columns: [])
        }
        clusters.append(cluster)
      }
    }
    let outer = try c.frame("page locations", list: true)
    guard outer.items == clusters.count else {
      throw .corrupt("page locations for \(outer.items) clusters, \(clusters.count) summaries")
    }
    try c.within(outer) { (c: inout EnvelopeCursor) throws(ROOTError) in
      for i in clusters.indices {
        let list = try c.frame("columns of cluster \(i)", list: true)
        guard list.items <= columns else {
          throw .corrupt("cluster \(i) has pages for \(list.items) of \(columns) columns")
        }
        try c.within(list) { (c: inout EnvelopeCursor) throws(ROOTError) in
          for k in 0..<list.items {
            clusters[i].columns.append(try column(&c, "column \(k) in cluster \(i)"))
          }
        }
      }
    }
    return clusters
  }

  static func column(_ c: inout EnvelopeCursor, _ what: String) throws(ROOTError) -> ColumnPages {
    let frame = try c.frame("pages of \(what)", list: true)
    return try c.within(frame) { (c: inout EnvelopeCursor) throws(ROOTError) -> ColumnPages in
      var pages: [Page] = []
      var total = 0
      for p in 0..<frame.items {
        let n = try c.i32("elements of page \(p) of \(what)")
        // A negative count marks a page followed by its checksum.
        let elements = abs(n)
        let locator = try Locator(&c, "page \(p) of \(what)")
        total += elements
        pages.append(Page(elements: elements, locator: locator, checksum: n < 0))
      }
      let offset = try c.i64("element offset of \(what)")
      let suppressed = offset < 0
      if !suppressed { _ = try c.u32("compression settings of \(what)") }
      guard !suppressed || pages.isEmpty else {
        throw .corrupt("suppressed \(what) has \(pages.count) pages")
      }
      return ColumnPages(
        firstElement: suppressed ? 0 : Int(offset), pages: pages, elements: total,
        suppressed: suppressed)
    }
  }
}
