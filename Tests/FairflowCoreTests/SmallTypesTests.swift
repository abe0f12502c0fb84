import FairflowCore
import Testing

@Suite struct SmallTypesTests {
  @Test func workspacePathsAreNormalisedOrRejected() throws {
    #expect(try WorkspacePath.normalize("./a//b/./c/").get() == "a/b/c")
    #expect(try WorkspacePath.normalize("a/../b").get() == "b")
    #expect(WorkspacePath.normalize("/etc/passwd") == .failure(.absolute))
    #expect(WorkspacePath.normalize("~/x") == .failure(.absolute))
    #expect(WorkspacePath.normalize("a/../../x") == .failure(.escapes))
    #expect(WorkspacePath.normalize("C:/x") == .failure(.driveLetter))
    #expect(WorkspacePath.normalize("a\u{0}b") == .failure(.controlCharacter))
    #expect(WorkspacePath.normalize("cache/objects") == .failure(.reserved("cache")))
    #expect(WorkspacePath.normalize(".") == .failure(.empty))
    #expect(WorkspacePath.isSameOrInside("data/x", "data"))
    #expect(!WorkspacePath.isSameOrInside("database", "data"))
    #expect(WorkspacePath.shellQuoted("it's here") == "'it'\\''s here'")
  }

  @Test func suggestionsUseTranspositionAwareDistance() {
    #expect(Suggestion.editDistance("dpes", "deps") == 1)
    #expect(Suggestion.editDistance("kitten", "sitting") == 3)
    #expect(Suggestion.nearest(to: "dpes", in: ["cmd", "uses", "deps"]) == "deps")
    #expect(Suggestion.nearest(to: "completely", in: ["cmd", "deps"]) == nil)
  }

  @Test func digestsHaveKnownVectorsAndStrictHex() {
    let abc = Digest.of("abc")
    #expect(abc.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Digest(hex: abc.hex) == abc)
    #expect(Digest(bytes: abc.bytes) == abc)
    #expect(Digest(hex: abc.hex.uppercased()) == nil)
    #expect(Digest(hex: String(abc.hex.dropLast())) == nil)
    #expect(Digest.of("") < Digest.of("abc") || Digest.of("abc") < Digest.of(""))
  }

  @Test func byteSizesParse() {
    #expect(ByteSize.parse("512M") == 512 << 20)
    #expect(ByteSize.parse("1.5GiB") == 3 << 29)
    #expect(ByteSize.parse("100") == 100)
    #expect(ByteSize.parse("lots") == nil)
    #expect(ByteSize.parse("-1G") == nil)
  }

  @Test func valuesCompareAndEncodeCanonically() {
    let a = Value.map([("b", .int(1)), ("a", .list([.string("x\"y"), .bool(true), .null]))])
    let b = Value.map([("a", .list([.string("x\"y"), .bool(true), .null])), ("b", .int(1))])
    #expect(a == b)
    #expect(a.canonicalText == "{\"a\":[\"x\\\"y\",true,null],\"b\":1}")
    #expect(Value.double(0.1).interpolationText == "0.1")
    #expect(Value.list([.int(1), .int(2)]).interpolationText == "1 2")
  }
}
