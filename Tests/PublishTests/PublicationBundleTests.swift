import FairflowTesting
import Foundation
import Publish
import Testing

@Suite struct PublicationBundleTests {
  func write(_ name: String, spec: PublicationSpec = Fixture.spec()) throws -> URL {
    let root = try Fixture.directory(name)
    let bundle = root.appendingPathComponent("bundle")
    try PublicationBundle.write(
      spec: spec, inputs: Fixture.inputs(), to: bundle, date: Fixture.date)
    return bundle
  }

  func contents(_ directory: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for file in try BundleFile.files(in: directory) {
      out[file.path] = try Data(contentsOf: directory.appendingPathComponent(file.path))
    }
    return out
  }

  @Test func writesTheLayoutAndSummary() throws {
    let root = try Fixture.directory("layout")
    let bundle = root.appendingPathComponent("bundle")
    let summary = try PublicationBundle.write(
      spec: Fixture.spec(), inputs: Fixture.inputs(), to: bundle, date: Fixture.date)
    #expect(
      summary.files == [
        "bag-info.txt", "bagit.txt", "data/CITATION.cff", "data/MODEL_CARD.md",
        "data/datacite.json", "data/fair-assessment.json", "data/fair-assessment.md",
        "data/metrics.json", "data/model/a b.csv", "data/model/model.onnx",
        "data/model/weights/model.safetensors", "data/provenance/train.json",
        "data/ro-crate-metadata.json", "manifest-sha256.txt", "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
      ])
    #expect(try contents(bundle).keys.sorted() == summary.files)
    #expect(summary.assessment.score == "15/15")
    let csv = summary.payload.first { $0.path == "model/a b.csv" }
    #expect(csv?.sha256 == "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470")
    #expect(csv?.size == 8)
    // Nothing is left behind next to the bundle.
    #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["bundle"])
  }

  @Test func sameInputsGiveIdenticalBytes() throws {
    let first = try contents(write("determinism-1"))
    let second = try contents(write("determinism-2"))
    #expect(first.count == 16)
    #expect(first == second)
    // And rewriting in place replaces the bundle atomically with the same bytes.
    let again = try write("determinism-3")
    try PublicationBundle.write(
      spec: Fixture.spec(), inputs: Fixture.inputs(), to: again, date: Fixture.date)
    #expect(try contents(again) == first)
  }

  @Test func bagInfoAndManifests() throws {
    let bundle = try write("bag-text")
    let info = try String(
      contentsOf: bundle.appendingPathComponent("bag-info.txt"), encoding: .utf8)
    #expect(info.contains("Bagging-Date: 2024-01-02\n"))
    #expect(info.contains("External-Identifier: doi:10.5281/zenodo.1234567\n"))
    let bagit = try String(contentsOf: bundle.appendingPathComponent("bagit.txt"), encoding: .utf8)
    #expect(bagit == "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    let manifest = try String(
      contentsOf: bundle.appendingPathComponent("manifest-sha256.txt"), encoding: .utf8)
    #expect(
      manifest.contains(
        "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  data/model/weights/model.safetensors\n"
      ))
    let sha512 = try String(
      contentsOf: bundle.appendingPathComponent("manifest-sha512.txt"), encoding: .utf8)
    #expect(
      sha512.contains(
        "e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629  data/model/weights/model.safetensors\n"
      ))
  }

  @Test func bagValidatesWithBagitAndBdbagAndFailsWhenTampered() throws {
    let bundle = try write("bag-valid")
    let script = """
      import bagit, sys
      bag = bagit.Bag(sys.argv[1])
      bag.validate()
      print(len(bag.payload_entries()), bag.info["Payload-Oxum"])
      """
    guard let out = try Peer.run(["python", "-c", script, bundle.path], in: bundle.path) else {
      return
    }
    #expect(out.status == 0, "\(out.stderr)")
    let oxum = try Data(contentsOf: bundle.appendingPathComponent("bag-info.txt"))
    let oxumLine = String(decoding: oxum, as: UTF8.self).split(separator: "\n")
      .first { $0.hasPrefix("Payload-Oxum: ") }?.dropFirst(14)
    #expect(out.stdout == "11 \(oxumLine ?? "")\n")
    let bdbag = try Peer.run(["bdbag", "--validate", "full", bundle.path], in: bundle.path)
    #expect(bdbag?.status == 0, "\(bdbag?.stderr ?? "")")

    // Flip one payload byte (same size, so only the checksum can tell).
    let target = bundle.appendingPathComponent("data/model/model.onnx")
    var bytes = try Data(contentsOf: target)
    bytes[0] ^= 0x01
    try bytes.write(to: target)
    let tampered = try Peer.run(["python", "-c", script, bundle.path], in: bundle.path)
    #expect(tampered?.status != 0)
    #expect(tampered?.stderr.contains("data/model/model.onnx") == true)
    let bdbagTampered = try Peer.run(["bdbag", "--validate", "full", bundle.path], in: bundle.path)
    #expect(bdbagTampered?.status != 0)
  }

  @Test func dataCiteValidatesAgainstTheSchema45() throws {
    let bundle = try write("datacite")
    let script = """
      import json, sys
      from datacite import schema45
      data = json.load(open(sys.argv[1]))
      errors = sorted(e.message for e in schema45.validator.iter_errors(data))
      # jsonschema 3.2 ignores draft 2019-09 `unevaluatedProperties`; check those keys by hand.
      person = set(schema45.validator.schema["definitions"]["person"]["properties"])
      related = {"relatedIdentifier", "relatedIdentifierType", "relationType", "resourceTypeGeneral"}
      for c in data["creators"]:
          errors += ["creator key " + k for k in c if k not in person]
      for r in data.get("relatedIdentifiers", []):
          errors += ["related key " + k for k in r if k not in related]
      schema45.tostring(data)  # the XML serialisation accepts it too
      print(json.dumps({"errors": errors, "types": data["types"], "publisher": data["publisher"],
        "relations": [(r["relationType"], r["relatedIdentifier"]) for r in data["relatedIdentifiers"]],
        "rights": data["rightsList"][0]["rightsIdentifier"], "orcid":
        data["creators"][0]["nameIdentifiers"][0]["nameIdentifier"], "formats": data["formats"],
        "sizes": data["sizes"], "doi": data["doi"]}, sort_keys=True))
      """
    let path = bundle.appendingPathComponent("data/datacite.json").path
    guard let out = try Peer.run(["python", "-c", script, path], in: bundle.path) else { return }
    #expect(out.status == 0, "\(out.stderr)")
    #expect(
      out.stdout
        == """
        {"doi": "10.5281/zenodo.1234567", "errors": [], "formats": ["onnx", "safetensors"], \
        "orcid": "https://orcid.org/0000-0002-1825-0097", "publisher": {"name": "Zenodo"}, \
        "relations": [["IsDerivedFrom", "10.7483/OPENDATA.CMS.JGJX.MS7Q"], ["IsSupplementedBy", \
        "https://github.com/FAIR4HEP/hbb_interaction_network"]], "rights": "cc-by-4.0", \
        "sizes": ["25 bytes", "3 files"], "types": {"resourceType": "Trained model", \
        "resourceTypeGeneral": "Model"}}

        """)
  }

  @Test func dataCiteWithoutDOIStillValidates() throws {
    let bundle = try write("datacite-dry", spec: Fixture.spec(doi: nil))
    let script = """
      import json, sys
      from datacite import schema45
      data = json.load(open(sys.argv[1]))
      print(len(list(schema45.validator.iter_errors(data))), "doi" in data, "url" in data)
      """
    let path = bundle.appendingPathComponent("data/datacite.json").path
    guard let out = try Peer.run(["python", "-c", script, path], in: bundle.path) else { return }
    #expect(out.stdout == "0 False False\n", "\(out.stderr)")
  }

  @Test func citationCFFValidatesWithCffconvert() throws {
    let bundle = try write("cff")
    let data = bundle.appendingPathComponent("data").path
    guard let out = try Peer.run(["cffconvert", "--validate", "-i", "CITATION.cff"], in: data)
    else { return }
    #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
    let text = try String(contentsOfFile: data + "/CITATION.cff", encoding: .utf8)
    #expect(text.contains("license: \"CC-BY-4.0\"\n"))
    #expect(text.contains("doi: \"10.5281/zenodo.1234567\"\n"))
    #expect(text.contains("    orcid: \"https://orcid.org/0000-0002-1825-0097\"\n"))
    let bibtex = try Peer.run(["cffconvert", "-i", "CITATION.cff", "-f", "bibtex"], in: data)
    #expect(
      bibtex?.stdout.contains("doi = {10.5281/zenodo.1234567}") == true, "\(bibtex?.stdout ?? "")")
  }

  @Test func roCrateLoadsWithRocrateAndListsTheFiles() throws {
    let bundle = try write("crate")
    let script = """
      import sys
      from rocrate.rocrate import ROCrate
      crate = ROCrate(sys.argv[1])
      files = sorted(e.id for e in crate.data_entities if "File" in e.type)
      sums = {e.id: e.get("sha256") for e in crate.data_entities}
      print(crate.root_dataset["name"])
      print(crate.root_dataset["license"].id, crate.root_dataset["identifier"])
      print("\\n".join(files))
      print(sums["model/a%20b.csv"])
      """
    let data = bundle.appendingPathComponent("data").path
    guard let out = try Peer.run(["python", "-c", script, data], in: data) else { return }
    #expect(out.status == 0, "\(out.stderr)")
    #expect(
      out.stdout == """
        Hbb interaction network
        https://spdx.org/licenses/CC-BY-4.0.html https://doi.org/10.5281/zenodo.1234567
        CITATION.cff
        MODEL_CARD.md
        datacite.json
        fair-assessment.json
        fair-assessment.md
        metrics.json
        model/a%20b.csv
        model/model.onnx
        model/weights/model.safetensors
        provenance/train.json
        492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470

        """)
  }

  @Test func modelCardNamesTypesShapesMetricsAndCitation() throws {
    let bundle = try write("card")
    let card = try String(
      contentsOf: bundle.appendingPathComponent("data/MODEL_CARD.md"), encoding: .utf8)
    #expect(card.hasPrefix("# Hbb interaction network\n"))
    #expect(card.contains("| tracks | float32 | [N, 30, 60] |  |\n"))
    #expect(card.contains("| logits | float32 | [N, 2] |  |\n"))
    #expect(card.contains("| AUC | 0.9898 | ± 0.0002 | test set |\n"))
    #expect(card.contains("## Intended use\n\nResearch on jet tagging with CMS open data.\n"))
    #expect(card.contains("## Limitations\n\nSimulated 2016 conditions only.\n"))
    #expect(
      card.contains(
        "Doe, Jane; FAIR4HEP Collaboration (2024). Hbb interaction network (version 1.0). Zenodo. https://doi.org/10.5281/zenodo.1234567"
      ))
  }

  @Test func rejectsUnsafeAndDuplicatePaths() throws {
    let root = try Fixture.directory("unsafe")
    var inputs = Fixture.inputs()
    inputs.modelFiles.append(BundleFile(path: "../escape.bin", bytes: [1]))
    #expect(throws: PublishError.unsafePath("../escape.bin")) {
      try PublicationBundle.write(
        spec: Fixture.spec(), inputs: inputs, to: root.appendingPathComponent("b"),
        date: Fixture.date)
    }
    inputs = Fixture.inputs()
    inputs.modelFiles.append(BundleFile(path: "model.onnx", bytes: [1]))
    #expect(throws: PublishError.duplicatePath("model/model.onnx")) {
      try PublicationBundle.write(
        spec: Fixture.spec(), inputs: inputs, to: root.appendingPathComponent("b"),
        date: Fixture.date)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == [])
  }

  @Test func copiesModelFilesFromDisk() throws {
    let root = try Fixture.directory("from-disk")
    let model = root.appendingPathComponent("model-dir")
    try FileManager.default.createDirectory(
      at: model.appendingPathComponent("sub"), withIntermediateDirectories: true)
    try Data("hello\n".utf8).write(to: model.appendingPathComponent("sub/hello.txt"))
    try Data("a,b\n1,2\n".utf8).write(to: model.appendingPathComponent("table.csv"))
    let files = try BundleFile.files(in: model)
    #expect(files.map(\.path) == ["sub/hello.txt", "table.csv"])
    let summary = try PublicationBundle.write(
      spec: Fixture.spec(), inputs: PublicationInputs(modelFiles: files),
      to: root.appendingPathComponent("bundle"), date: Fixture.date)
    #expect(
      summary.payload.first { $0.path == "model/sub/hello.txt" }?.md5
        == "b1946ac92492d2347c6235b4d2611184")
  }
}
