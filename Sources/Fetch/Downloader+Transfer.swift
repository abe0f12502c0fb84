import Foundation

/// The HTTP side of a download: resume requests, the 200/206/416 decision of doi-apis.md §13.2,
/// the "HTML instead of data" check of §13.5, and re-requests after a body cut short.
extension Downloader {
  /// Fills `part` from `file.url` until the body is complete (or the listed size is reached).
  /// Returns whether bytes from an earlier request were kept (the file was resumed), so the
  /// caller can restart from zero once if the whole file then fails verification.
  func transfer(_ file: RemoteFile, to part: PartFile, reporter: ProgressReporter) async throws
    -> Bool
  {
    var resumed = false
    var attempt = 1
    while true {
      var offset = part.size()
      if let size = file.size, offset > size {
        part.remove()
        offset = 0
      }
      if let size = file.size, size > 0, offset == size { return true }
      var request = HTTPRequest(
        url: file.url, headers: [("Accept", "*/*")], timeout: client.policy.timeout)
      if offset > 0 { request.headers.append(("Range", "bytes=\(offset)-")) }
      let (url, response) = try await client.send(request)
      let head = response.head
      let place = try placement(of: head, requested: offset, file: file, url: url)
      guard let (start, skip) = place else {
        if head.status == 416 { return true }  // maybe complete already: verification decides
        part.remove()  // a 206 that starts after what we have: useless, restart from zero
        guard attempt < client.policy.maxAttempts else {
          throw FetchError.unexpectedContent(
            url: redactedURL(url), detail: "the server keeps answering ranges it was not asked")
        }
        attempt += 1
        continue
      }
      try checkContent(head, file: file, url: url)
      let outcome = try await receive(
        response.body, into: part, at: start, skipping: skip, file: file, reporter: reporter)
      if start > 0 { resumed = true }
      guard let failure = outcome else { return resumed }
      guard attempt < client.policy.maxAttempts else {
        if case .sizeMismatch = failure { return resumed }  // verification reports it
        throw failure
      }
      try await client.policy.sleep(client.backoff(attempt: attempt, url: file.url))
      attempt += 1
    }
  }

  /// Where the body of `head` goes: (offset in the file, bytes of the body to drop). nil for a
  /// 416 or for a 206 that starts after `requested`; throws for any other status.
  private func placement(
    of head: HTTPResponseHead, requested: Int64, file: RemoteFile, url: URL
  ) throws -> (Int64, Int64)? {
    switch head.status {
    case 200:
      return (0, 0)  // a full body: the range (if any) was ignored, start afresh
    case 206:
      guard let range = ContentRange(head.header("Content-Range") ?? "") else {
        throw FetchError.unexpectedContent(
          url: redactedURL(url), detail: "a 206 without a readable Content-Range")
      }
      if let total = range.total, let size = file.size, total != size {
        throw FetchError.sizeMismatch(file: file.path, expected: size, actual: total)
      }
      guard range.start <= requested else { return nil }
      return (requested, requested - range.start)
    case 416 where requested > 0:
      return nil
    case 404, 410:
      throw FetchError.notFound(
        identifier: file.path, detail: "HTTP \(head.status) from \(redactedURL(url))")
    default:
      throw FetchError.httpStatus(url: redactedURL(url), status: head.status, detail: "")
    }
  }

  /// Refuses an HTML page (login, "Redirecting...", error page) unless the listed file is HTML.
  private func checkContent(_ head: HTTPResponseHead, file: RemoteFile, url: URL) throws {
    let type = (head.header("Content-Type") ?? "").lowercased()
    let ext = (file.path as NSString).pathExtension.lowercased()
    if type.hasPrefix("text/html") || type.hasPrefix("application/xhtml"),
      !["html", "htm", "xhtml"].contains(ext)
    {
      throw FetchError.unexpectedContent(
        url: redactedURL(url),
        detail: "an HTML page (\(type)) instead of \(file.path); the file may need a login")
    }
    if let length = head.header("Content-Length").flatMap(Int64.init), let cap = maxFileBytes,
      length > cap, head.status == 200
    {
      throw FetchError.tooLarge(limit: cap)
    }
  }

  /// Writes the body into the part from `start`, dropping its first `skip` bytes. Returns nil
  /// when the body ended at the listed size (or cleanly, size unknown), else the reason it came
  /// up short (resumable). A body over the listed size or the cap deletes the part and throws.
  private func receive(
    _ body: AsyncThrowingStream<[UInt8], any Error>, into part: PartFile, at start: Int64,
    skipping skip: Int64, file: RemoteFile, reporter: ProgressReporter
  ) async throws -> FetchError? {
    let writer = try part.open(at: start, limit: file.size, reporter: reporter)
    defer { writer.close() }
    var toSkip = skip
    do {
      for try await chunk in body {
        var bytes = chunk
        if toSkip > 0 {
          let dropped = min(toSkip, Int64(bytes.count))
          bytes.removeFirst(Int(dropped))
          toSkip -= dropped
        }
        if !bytes.isEmpty { try writer.append(bytes, file: file.path, cap: maxFileBytes) }
      }
    } catch let error as FetchError {
      switch error {
      case .transport: return error
      default:
        writer.close()
        part.remove()
        throw error
      }
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      return FetchError.transport(url: redactedURL(file.url), detail: "\(error)")
    }
    try Task.checkCancellation()
    if let size = file.size, writer.written < size {
      return FetchError.sizeMismatch(file: file.path, expected: size, actual: writer.written)
    }
    return nil
  }
}
