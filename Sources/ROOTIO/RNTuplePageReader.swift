internal import Compression
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
    var checksum: Bool
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
        out.append(
          PlacedPage(
            first: next, elements: page.elements, locator: page.locator, checksum: page.checksum))
        next += page.elements
      }
    }
    return (out, next)
  }

  /// Elements `range` of `column` as an array of `T` (whose size is the column's element width):
  /// the pages are decoded straight into the array's storage.
  func elements<T>(of column: Int, _ range: Range<Int>, type: RNTupleColumnType, as _: T.Type)
    throws(ROOTError) -> [T]
  {
    guard MemoryLayout<T>.stride == type.width, Self.littleEndianHost else {
      throw ROOTError("\(type.name) elements cannot be read as \(T.self) on this host")
    }
    let wanted = try pages(of: column, range, type: type)
    var failure: ROOTError?
    let output = [T](unsafeUninitializedCapacity: range.count) { buffer, count in
      do throws(ROOTError) {
        if let base = buffer.baseAddress {
          try fill(UnsafeMutableRawPointer(base), pages: wanted, range, column: column, type: type)
        }
        count = range.count
      } catch {
        failure = error
        count = 0
      }
    }
    if let failure { throw failure }
    return output
  }

  /// Elements are little-endian on disk and copied as they are.
  static let littleEndianHost = UInt16(1).littleEndian == 1

  /// The pages of `column` that hold elements `range`, after checking the range.
  func pages(of column: Int, _ range: Range<Int>, type: RNTupleColumnType) throws(ROOTError)
    -> [PlacedPage]
  {
    let (all, total) = try pages(of: column)
    guard range.lowerBound >= 0, range.upperBound <= total else {
      throw .corrupt("elements \(range) of column \(column), which holds \(total)")
    }
    let (bytes, overflow) = range.count.multipliedReportingOverflow(by: type.width)
    guard !overflow, bytes <= file.file.size &* 1100 + 65536 else {
      throw .corrupt("column \(column) claims \(range.count) elements")
    }
    guard !range.isEmpty else { return [] }
    return all.filter { $0.first < range.upperBound && $0.first + $0.elements > range.lowerBound }
  }

  /// Decodes `pages` (in parallel) into `output`, which holds elements `range`.
  func fill(
    _ output: UnsafeMutableRawPointer, pages wanted: [PlacedPage], _ range: Range<Int>,
    column: Int, type: RNTupleColumnType
  ) throws(ROOTError) {
    let width = type.width
    let failure = Mutex<ROOTError?>(nil)
    let out = SendableRawPointer(output)
    DispatchQueue.concurrentPerform(iterations: wanted.count) { i in
      do throws(ROOTError) {
        let page = wanted[i]
        let lo = max(range.lowerBound, page.first)
        let hi = min(range.upperBound, page.first + page.elements)
        let target = out.pointer + (lo - range.lowerBound) * width
        if lo == page.first, hi == page.first + page.elements {
          // The whole page is wanted: decode straight into the output.
          try self.page(page, column: column, type: type) { target }
        } else {
          // Allocated only once the page has been read and decompressed, so a page claiming
          // more elements than its bytes can hold fails before it costs memory.
          var scratch: UnsafeMutableRawPointer?
          defer { scratch?.deallocate() }
          try self.page(page, column: column, type: type) {
            scratch = UnsafeMutableRawPointer.allocate(
              byteCount: page.elements * width, alignment: 16)
            return scratch!
          }
          guard let scratch else { return }
          target.copyMemory(from: scratch + (lo - page.first) * width, byteCount: (hi - lo) * width)
        }
      } catch {
        failure.withLock { $0 = $0 ?? error }
      }
    }
    if let error = failure.withLock({ $0 }) { throw error }
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
    var raw = try file.file.read(
      at: page.locator.offset, count: page.locator.size + (page.checksum ? 8 : 0), what)
    if page.checksum {
      var tail = EnvelopeCursor(raw, offset: page.locator.size)
      guard XXHash.hash3(raw[..<page.locator.size]) == (try tail.u64("\(what) checksum")) else {
        throw .corrupt("\(what): checksum (XXH3) mismatch")
      }
      raw.removeLast(8)
    }
    guard page.elements > 0 else { return }
    if raw.count == stored {
      raw.withUnsafeBytes { type.decode($0, elements: page.elements, into: destination()) }
    } else if !type.split, !type.isBit {
      // Plain elements: decompressed straight into the output.
      let out = UnsafeMutableBufferPointer(
        start: destination().assumingMemoryBound(to: UInt8.self), count: stored)
      do throws(ROOTError) {
        try Decompressor.decompress(raw[...], into: out)
      } catch { throw error.context(what) }
    } else {
      do throws(ROOTError) {
        let data = try Decompressor.decompress(raw[...], expected: stored)
        data.withUnsafeBytes { type.decode($0, elements: page.elements, into: destination()) }
      } catch { throw error.context(what) }
    }
  }
}

/// An output pointer handed to parallel page decoders that write disjoint ranges.
struct SendableRawPointer: @unchecked Sendable {
  let pointer: UnsafeMutableRawPointer
  init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}
