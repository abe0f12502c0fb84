import FairflowCore
import Testing

@Suite struct WorkspacePathTests {
  @Test(arguments: [
    ("a/b/c", "a/b/c"), ("./a//b/./c/", "a/b/c"), ("a/../b", "b"), ("a/b/../../c", "c"),
    ("data/", "data"), ("my data/file name.csv", "my data/file name.csv"),
    ("données/é.txt", "données/é.txt"), ("cache2/x", "cache2/x"), ("x/cache", "x/cache"),
    (".gitignore", ".gitignore"), ("a\\b", "a\\b"),
  ])
  func normalises(_ raw: String, _ normalized: String) throws {
    #expect(try WorkspacePath.normalize(raw).get() == normalized)
  }

  @Test(arguments: [
    ("", WorkspacePath.Problem.empty), (".", .empty), ("./", .empty), ("a/..", .empty),
    ("/etc/passwd", .absolute), ("~/x", .absolute), ("~", .absolute),
    ("..", .escapes), ("a/../../x", .escapes), ("../x", .escapes),
    ("C:/x", .driveLetter), ("c:x", .driveLetter),
    ("a\u{0}b", .controlCharacter), ("line\nbreak", .controlCharacter),
    ("del\u{7f}", .controlCharacter),
    ("cache", .reserved("cache")), ("cache/objects", .reserved("cache")),
    ("./cache/x", .reserved("cache")), ("x/../cache", .reserved("cache")),
    (".git/config", .reserved(".git")),
  ])
  func rejects(_ raw: String, _ problem: WorkspacePath.Problem) {
    #expect(WorkspacePath.normalize(raw) == .failure(problem))
  }

  @Test func problemsExplainThemselves() {
    #expect(
      WorkspacePath.Problem.absolute.explanation
        == "absolute paths are not allowed; paths are relative to the workspace root")
    #expect(
      WorkspacePath.Problem.escapes.explanation == "the path leaves the workspace through '..'")
    #expect(
      WorkspacePath.Problem.reserved("cache").explanation == "'cache/' is fairflow's own directory")
  }

  @Test func sameOrInsideComparesWholeComponents() {
    #expect(WorkspacePath.isSameOrInside("data", "data"))
    #expect(WorkspacePath.isSameOrInside("data/x", "data"))
    #expect(WorkspacePath.isSameOrInside("data/x/y", "data/x"))
    #expect(!WorkspacePath.isSameOrInside("database", "data"))
    #expect(!WorkspacePath.isSameOrInside("data", "data/x"))
    #expect(!WorkspacePath.isSameOrInside("other/data", "data"))
  }

  @Test(arguments: [
    ("plain/path-1_2.txt", "plain/path-1_2.txt"), ("a+b=c:d@e%f,g", "a+b=c:d@e%f,g"),
    ("with space", "'with space'"), ("it's", "'it'\\''s'"), ("$HOME", "'$HOME'"),
    ("a;rm -rf b", "'a;rm -rf b'"), ("*.csv", "'*.csv'"), ("é", "'é'"),
  ])
  func shellQuoting(_ path: String, _ quoted: String) {
    #expect(WorkspacePath.shellQuoted(path) == quoted)
  }
}
