import FairflowTesting
import Foundation
import Publish
import Testing

/// The ustar writer (deterministic, cross-checked byte for byte with Python's `tarfile`) and the
/// reader (hostile archives refused before anything is written).
@Suite struct TarArchiveTests {
  static let mtime = 1_704_189_600
  static let longDirectory =
    String(repeating: "d", count: 90) + "/" + String(repeating: "e", count: 40)
  static let entries: [TarArchive.Entry] = [
    .init(path: "pipelines/main.yaml", kind: .file(Array("stages: {}\n".utf8), executable: false)),
    .init(path: "tools/run.sh", kind: .file(Array("#!/bin/sh\necho hi\n".utf8), executable: true)),
    .init(path: "tools", kind: .directory),
    .init(path: "pipelines", kind: .directory),
    .init(path: "latest", kind: .symlink(target: "pipelines/main.yaml")),
    .init(path: "empty.txt", kind: .file([], executable: false)),
    .init(path: longDirectory, kind: .directory),
    .init(
      path: longDirectory + "/" + String(repeating: "f", count: 60) + ".txt",
      kind: .file(Array(repeating: 0x41, count: 700), executable: false)),
  ]

  @Test func roundTripsSortedAndIsDeterministic() throws {
    let bytes = try TarArchive.write(Self.entries, mtime: Self.mtime)
    #expect(bytes.count % 10240 == 0)
    #expect(try TarArchive.write(Self.entries.reversed(), mtime: Self.mtime) == bytes)
    let read = try TarArchive.read(bytes)
    #expect(read.map(\.path) == Self.entries.map(\.path).sorted())
    for entry in Self.entries {
      #expect(read.first { $0.path == entry.path } == entry, "\(entry.path)")
    }
    // The long name went into the prefix field: the name field holds only its last part.
    let header = try #require(
      bytes.indices.first { i in
        i % 512 == 0 && bytes[i..<(i + 3)] == ArraySlice(Array("fff".utf8))
      })
    #expect(String(decoding: bytes[(header + 345)..<(header + 348)], as: UTF8.self) == "ddd")
  }

  @Test func writerRefusesWhatUstarCannotHoldOrWhatEscapes() throws {
    func refusal(_ entries: [TarArchive.Entry]) -> String? {
      do {
        _ = try TarArchive.write(entries, mtime: Self.mtime)
        return nil
      } catch {
        return "\(error)"
      }
    }
    let file = TarArchive.Entry.Kind.file([1], executable: false)
    #expect(
      refusal([.init(path: "/etc/passwd", kind: file)])
        == "tar archive: unsafe entry name '/etc/passwd'")
    #expect(
      refusal([.init(path: "a/../b", kind: file)]) == "tar archive: unsafe entry name 'a/../b'")
    #expect(
      refusal([.init(path: "a", kind: file), .init(path: "a", kind: .directory)])
        == "tar archive: two entries named a")
    let unsplittable = String(repeating: "x", count: 101)
    #expect(refusal([.init(path: unsplittable, kind: file)])?.contains("does not fit") == true)
    let link = String(repeating: "l", count: 101)
    #expect(
      refusal([.init(path: "a", kind: .symlink(target: link))])
        == "tar archive: the link target of a is longer than 100 bytes")
  }

  /// Python's `tarfile` writes the same bytes for the same members, and reads ours back.
  @Test func bytesEqualPythonTarfileUstar() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let directory = try TemporaryWorkspace("tar-python")
    defer { directory.destroy() }
    let ours = try TarArchive.write(Self.entries, mtime: Self.mtime)
    try Data(ours).write(to: URL(fileURLWithPath: directory.path("ours.tar")))
    let script = """
      import io, sys, tarfile
      mtime = int(sys.argv[1])
      long = "d" * 90 + "/" + "e" * 40
      members = [
          ("pipelines/main.yaml", b"stages: {}\\n", 0o644), ("tools/run.sh", b"#!/bin/sh\\necho hi\\n", 0o755),
          ("tools", None, 0o755), ("pipelines", None, 0o755), ("latest", "pipelines/main.yaml", 0o777),
          ("empty.txt", b"", 0o644), (long, None, 0o755), (long + "/" + "f" * 60 + ".txt", b"A" * 700, 0o644),
      ]
      out = io.BytesIO()
      with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
          for name, content, mode in sorted(members, key=lambda m: m[0].encode()):
              info = tarfile.TarInfo(name)
              info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = mtime, mode, 0, 0, "", ""
              if content is None:
                  info.type = tarfile.DIRTYPE
                  tar.addfile(info)
              elif isinstance(content, str):
                  info.type, info.linkname = tarfile.SYMTYPE, content
                  tar.addfile(info)
              else:
                  info.size = len(content)
                  tar.addfile(info, io.BytesIO(content))
      ours = open("ours.tar", "rb").read()
      print("same" if out.getvalue() == ours else "differ")
      with tarfile.open("ours.tar") as tar:
          for m in tar.getmembers():
              print(m.name, oct(m.mode), m.mtime, m.type.decode(), m.linkname, m.size)
      """
    let run = try Shell.run([python, "-c", script, String(Self.mtime)], in: directory.root)
    #expect(run.status == 0, "\(run.stderr)")
    let lines = run.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "same", "\(run.stdout)")
    #expect(lines.contains("tools/run.sh 0o755 \(Self.mtime) 0  18"))
    #expect(lines.contains("latest 0o777 \(Self.mtime) 2 pipelines/main.yaml 0"))
    #expect(lines.contains("\(Self.longDirectory) 0o755 \(Self.mtime) 5  0"))
  }

  // MARK: Hostile archives

  /// A ustar header written by hand (the writer refuses these names).
  static func member(
    _ name: String, type: Character = "0", link: String = "", content: [UInt8] = []
  )
    -> [UInt8]
  {
    var h = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, _ offset: Int) {
      for (i, byte) in text.utf8.enumerated() { h[offset + i] = byte }
    }
    put(name, 0)
    put("0000644", 100)
    put(String(format: "%011o", content.count), 124)
    put("00000000000", 136)
    put(String(type), 156)
    put(link, 157)
    put("ustar", 257)
    put("00", 263)
    put("        ", 148)
    put(String(format: "%06o", h.reduce(0) { $0 + Int($1) }), 148)
    h[154] = 0
    return h + content + [UInt8](repeating: 0, count: (512 - content.count % 512) % 512)
  }

  static func archive(_ members: [UInt8]...) -> [UInt8] {
    members.flatMap { $0 } + [UInt8](repeating: 0, count: 1024)
  }

  @Test(arguments: [
    (archive(member("../escape.txt", content: [1])), "unsafe entry name '../escape.txt'"),
    (archive(member("/tmp/abs.txt", content: [1])), "unsafe entry name '/tmp/abs.txt'"),
    (archive(member("a/./b", content: [1])), "unsafe entry name 'a/./b'"),
    (
      archive(member("up", type: "2", link: "../../outside")),
      "the symbolic link up points outside the archive (../../outside)"
    ),
    (
      archive(member("abs", type: "2", link: "/etc")),
      "the symbolic link abs points outside the archive (/etc)"
    ),
    (
      archive(member("dir", type: "2", link: "inside"), member("dir/x.txt", content: [1])),
      "dir/x.txt would be written through the symbolic link dir"
    ),
    (
      archive(member("f", content: [1]), member("f", content: [2])), "f appears twice"
    ),
    (
      archive(member("hard", type: "1", link: "/etc/passwd")),
      "hard: entry type '1' is not supported (only files, directories and symbolic links)"
    ),
    (
      archive(member("pax", type: "x", content: Array("30 path=../../etc/passwd\n".utf8))),
      "pax: entry type 'x' is not supported (only files, directories and symbolic links)"
    ),
  ])
  func hostileArchivesAreRefusedBeforeAnythingIsWritten(_ bytes: [UInt8], _ problem: String)
    throws
  {
    let directory = try TemporaryWorkspace("tar-hostile")
    defer { directory.destroy() }
    try FileManager.default.createDirectory(
      atPath: directory.path("into"), withIntermediateDirectories: true)
    #expect(throws: PublishError.invalidArchive(problem)) {
      try TarArchive.extract(bytes, into: directory.path("into"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("into")).isEmpty)
    #expect(!FileManager.default.fileExists(atPath: directory.path("escape.txt")))
  }

  @Test func damagedArchivesAreRefused() throws {
    var flipped = Self.archive(Self.member("a.txt", content: Array("hello".utf8)))
    flipped[0] = UInt8(ascii: "b")
    #expect(
      throws: PublishError.invalidArchive("header at byte 0: checksum mismatch (damaged archive)")
    ) {
      try TarArchive.read(flipped)
    }
    let full = Self.member("a.txt", content: Array(repeating: 7, count: 600))
    #expect(throws: PublishError.invalidArchive("header at byte 0: a.txt is cut short")) {
      try TarArchive.read(Array(full.prefix(700)))
    }
    #expect(
      throws: PublishError.invalidArchive("truncated: no end-of-archive block after 1 entries")
    ) { try TarArchive.read(Self.member("a.txt", content: [1])) }
    #expect(throws: PublishError.invalidArchive("header at byte 0: not a ustar header")) {
      try TarArchive.read([UInt8](repeating: 0x41, count: 1024))
    }
  }

  @Test func extractsFilesModesAndLinksInside() throws {
    let directory = try TemporaryWorkspace("tar-extract")
    defer { directory.destroy() }
    let into = directory.path("into")
    try FileManager.default.createDirectory(atPath: into, withIntermediateDirectories: true)
    var entries = Self.entries
    entries.append(.init(path: "tools/up", kind: .symlink(target: "../pipelines")))
    try TarArchive.extract(try TarArchive.write(entries, mtime: Self.mtime), into: into)
    #expect(try directory.read("into/tools/run.sh") == "#!/bin/sh\necho hi\n")
    #expect(FileManager.default.isExecutableFile(atPath: into + "/tools/run.sh"))
    #expect(!FileManager.default.isExecutableFile(atPath: into + "/pipelines/main.yaml"))
    #expect(
      try FileManager.default.destinationOfSymbolicLink(atPath: into + "/latest")
        == "pipelines/main.yaml")
    #expect(try directory.read("into/tools/up/main.yaml") == "stages: {}\n")
  }
}
