internal import Dispatch
internal import Synchronization

/// Reads a range of one column's elements: finds the pages that hold them (across clusters),
/// then reads, decompresses and decodes those pages in parallel, each into its own slice of one
/// output buffer of native little-endian elements.
extension RNTuple {
  struct PlacedPage {
    var first: Int
    var elements: Int
    var locator: Locator
  }

  /// Every page of `column` with the index of its first element, checked to follow one another
  /// with no gap or overlap; `total` is the column's element count.
  func pages(of column: Int) throws(ROOTError) -> (pages: [PlacedPage], total: Int) {
    var out: [PlacedPage] = []
    var next = 0
    for (i, cluster) in clusters.enumerated() {
      guard column < cluster.columns.count else {
        throw .corrupt("cluster \(i) has no pages for column \(column)")
      }
      let pages = cluster.columns[column]
      guard !pages.suppressed else {
        throw ROOTError(
          "column \(column) is suppressed in cluster \(i) (alternative column representations are not supported)"
        )
      }
      guard pages.firstElement == next else {
        throw .corrupt(
          "column \(column) starts at element \(pages.firstElement) in cluster \(i), expected \(next)"
        )
      }
      for page in pages.pages {
        // No codec expands more than ~1100:1, so a page cannot hold more than that.
        guard page.elements <= page.locator.size &* 1100 + 65536 else {
          throw .corrupt(
            "column \(column): a page of \(page.locator.size) bytes claims \(page.elements) elements"
          )
        }
        out.append(PlacedPage(first: next, elements: page.elements, locator: page.locator))
        next += page.elements
      }
    }
    return (out, next)
  }

  /// Elements `range` of `column`, as `range.count * type.width` native bytes.
  func elements(of column: Int, _ range: Range<Int>, type: RNTupleColumnType) throws(ROOTError)
    -> [UInt8]
  {
    let (all, total) = try pages(of: column)
    guard range.lowerBound >= 0, range.upperBound <= total else {
      throw .corrupt("elements \(range) of column \(column), which holds \(total)")
    }
    guard !range.isEmpty else { return [] }
    let wanted = all.filter {
      $0.first < range.upperBound && $0.first + $0.elements > range.lowerBound
    }
    let width = type.width
    let (bytes, overflow) = range.count.multipliedReportingOverflow(by: width)
    guard !overflow, bytes <= file.file.size &* 1100 + 65536 else {
      throw .corrupt("column \(column) claims \(range.count) elements")
    }
    let failure = Mutex<ROOTError?>(nil)
    let output = [UInt8](unsafeUninitializedCapacity: bytes) { buffer, count in
      let out = SendablePointer(buffer.baseAddress)
      DispatchQueue.concurrentPerform(iterations: wanted.count) { i in
        do throws(ROOTError) {
          let page = wanted[i]
          let lo = max(range.lowerBound, page.first)
          let hi = min(range.upperBound, page.first + page.elements)
          let target = out.pointer! + (lo - range.lowerBound) * width
          if lo == page.first, hi == page.first + page.elements {
            // The whole page is wanted: decode straight into the output.
            try self.page(page, column: column, type: type) { UnsafeMutableRawPointer(target) }
          } else {
            // Untouched until the page has been read and decompressed.
            let scratch = UnsafeMutableRawPointer.allocate(
              byteCount: page.elements * width, alignment: 16)
            defer { scratch.deallocate() }
            try self.page(page, column: column, type: type) { scratch }
            target.update(
              from: scratch.assumingMemoryBound(to: UInt8.self) + (lo - page.first) * width,
              count: (hi - lo) * width)
          }
        } catch {
          failure.withLock { $0 = $0 ?? error }
        }
      }
      count = bytes
    }
    if let error = failure.withLock({ $0 }) { throw error }
    return output
  }

  /// Reads, decompresses and decodes one page into `destination()`, which has room for its
  /// `elements * width` bytes.
  func page(
    _ page: PlacedPage, column: Int, type: RNTupleColumnType,
    into destination: () -> UnsafeMutableRawPointer
  ) throws(ROOTError) {
    let what = "page of column \(column) at byte \(page.locator.offset)"
    let stored = type.storedBytes(page.elements)
    guard stored <= page.locator.size &* 1100 + 65536 else {
      throw .corrupt("\(what): \(page.elements) elements in \(page.locator.size) bytes")
    }
    let raw = try file.file.read(at: page.locator.offset, count: page.locator.size, what)
    let data: [UInt8]
    if raw.count == stored {
      data = raw
    } else {
      do throws(ROOTError) {
        data = try Decompressor.decompress(raw[...], expected: stored)
      } catch { throw error.context(what) }
    }
    guard page.elements > 0 else { return }
    data.withUnsafeBytes { type.decode($0, elements: page.elements, into: destination()) }
  }
}
