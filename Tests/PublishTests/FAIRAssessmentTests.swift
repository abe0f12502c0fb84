import Foundation
import Publish
import Testing

@Suite struct FAIRAssessmentTests {
  func verdicts(_ assessment: FAIRAssessment) -> [String: Bool] {
    Dictionary(uniqueKeysWithValues: assessment.criteria.map { ($0.id, $0.passed) })
  }

  @Test func completePublicationPassesEveryPrinciple() {
    let assessment = FAIRAssessment(spec: Fixture.spec(), inputs: Fixture.inputs())
    #expect(
      assessment.criteria.map(\.id) == [
        "F1", "F2", "F3", "F4", "A1", "A1.1", "A1.2", "A2", "I1", "I2", "R1", "R1.1", "R1.2",
        "R2", "R3",
      ])
    #expect(assessment.score == "15/15")
    #expect(assessment.criterion("F1")?.detail == "DOI 10.5281/zenodo.1234567")
    #expect(
      assessment.criterion("R1.1")?.detail
        == "CC-BY-4.0 (Creative Commons Attribution 4.0 International)")
    #expect(
      assessment.criterion("I1")?.detail
        == "open format model file(s): model.onnx, weights/model.safetensors")
  }

  @Test func withoutDOIFindabilityAndAccessFail() {
    let assessment = FAIRAssessment(spec: Fixture.spec(doi: nil), inputs: Fixture.inputs())
    let failed = assessment.criteria.filter { !$0.passed }.map(\.id)
    #expect(failed == ["F1", "F3", "F4", "A1", "A1.1", "A1.2", "A2"])
    #expect(
      assessment.criterion("F1")?.detail
        == "no DOI minted or recorded (deposit the bundle, or set doi)")
    #expect(assessment.score == "8/15")
  }

  @Test func licenceMustBeARecognisedSPDXIdentifier() {
    var spec = Fixture.spec()
    spec.license = nil
    var assessment = FAIRAssessment(spec: spec, inputs: Fixture.inputs())
    #expect(verdicts(assessment)["R1.1"] == false)
    #expect(assessment.criterion("R1.1")?.detail == "no licence declared")
    spec.license = "my-own-licence"
    assessment = FAIRAssessment(spec: spec, inputs: Fixture.inputs())
    #expect(
      assessment.criterion("R1.1")?.detail
        == "licence my-own-licence is not a recognised SPDX identifier")
    spec.license = "mit"
    assessment = FAIRAssessment(spec: spec, inputs: Fixture.inputs())
    #expect(assessment.criterion("R1.1")?.detail == "MIT (MIT License)")
    #expect(assessment.score == "15/15")
  }

  @Test func provenanceRecordsAreNeededForR12() {
    var inputs = Fixture.inputs()
    inputs.provenance = []
    let assessment = FAIRAssessment(spec: Fixture.spec(), inputs: inputs)
    #expect(verdicts(assessment)["R1.2"] == false)
    #expect(assessment.criterion("R1.2")?.detail == "no provenance records included")
    #expect(assessment.passedCount == 14)
    let with = FAIRAssessment(spec: Fixture.spec(), inputs: Fixture.inputs())
    #expect(
      with.criterion("R1.2")?.detail
        == "1 provenance record(s): train.json; code commit fd8b998d7814c5d26e5a597cb1a4d89bf2051004"
    )
  }

  @Test func missingOpenFormatTrainingDataAndCardFieldsFail() {
    var spec = Fixture.spec()
    spec.trainingData = []
    spec.modelCard.limitations = nil
    spec.modelCard.outputs = [TensorSpec(name: "score", type: "", shape: [])]
    var inputs = Fixture.inputs()
    inputs.modelFiles = [BundleFile(path: "model.pt", bytes: [0])]
    inputs.metrics[1].uncertainty = nil
    let assessment = FAIRAssessment(spec: spec, inputs: inputs)
    #expect(assessment.criteria.filter { !$0.passed }.map(\.id) == ["I1", "I2", "R1", "R3"])
    #expect(
      assessment.criterion("I1")?.detail
        == "no model file in an open exchange format (ONNX, safetensors, HDF5)")
    #expect(assessment.criterion("R1")?.detail == "missing type or shape of score, limitations")
    #expect(assessment.criterion("R3")?.detail == "metrics without uncertainty: accuracy")
  }

  @Test func writesJSONAndMarkdown() throws {
    var spec = Fixture.spec(doi: nil)
    spec.keywords = []
    let assessment = FAIRAssessment(spec: spec, inputs: Fixture.inputs())
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(assessment.json)) as? [String: Any])
    #expect(json["score"] as? String == "7/15")
    let criteria = try #require(json["criteria"] as? [[String: String]])
    #expect(
      criteria[1] == [
        "id": "F2", "principle": "The model is described with rich metadata.", "result": "fail",
        "missing": "missing keywords",
      ])
    #expect(criteria[8]["result"] == "pass")
    let markdown = String(decoding: assessment.markdown, as: UTF8.self)
    #expect(markdown.contains("| Principle | Result | Evidence or missing piece |\n"))
    #expect(markdown.contains("| F2 | Fail | missing keywords |\n"))
    #expect(
      markdown.contains(
        "| I2 | Pass | IsDerivedFrom 10.7483/OPENDATA.CMS.JGJX.MS7Q |\n"))
  }
}
