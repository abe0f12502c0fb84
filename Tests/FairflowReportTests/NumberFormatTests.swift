import FairflowBase
import FairflowReport
import Testing

/// The report's numbers: four significant digits, integers as integers, mean ± sample std.
@Suite struct NumberFormatTests {
  @Test(arguments: [
    (0.9530023098688221, "0.9530"), (0.17123456, "0.1712"), (25554.0, "25,554"), (5.0, "5"),
    (12.5, "12.50"), (0.0012346, "0.001235"), (0.000025, "2.500e-05"), (1234.567, "1235"),
    (0.99996, "1.000"), (-0.5, "-0.5000"), (-1200.0, "-1,200"), (0.0, "0"),
    (2_500_000.5, "2.500e+06"), (Double.nan, "NaN"),
  ])
  func significantDigits(value: Double, text: String) {
    #expect(NumberFormat.significant(value) == text)
  }

  @Test func integersStayIntegersAndWholeRealsKeepTheirDigits() {
    #expect(NumberFormat.text(.int(25554)) == "25,554")
    #expect(NumberFormat.text(.double(1.0)) == "1.000")
    #expect(NumberFormat.text(.double(0.0)) == "0")
    #expect(NumberFormat.text(.double(0.9530023098688221)) == "0.9530")
    #expect(NumberFormat.text(.string("x")) == "–")
    #expect(SampleStatistics([1, 1], integers: false)?.formatted == "1.000 ± 0.000")
    #expect(SampleStatistics([3, 3], integers: true)?.formatted == "3 ± 0")
  }

  @Test func axisRangesEndOnRoundTicks() {
    #expect(AxisRange.nice([0.63, 0.796]) == 0.6...0.85)
    #expect(AxisRange.nice([0.575, 0.575], bounds: 0...1) == 0.54...0.64)
    #expect(AxisRange.nice([0.97, 0.999], bounds: 0...1) == 0.95...1)
    #expect(AxisRange.nice([2, 47]) == 0...50)
    #expect(AxisRange.nice([]) == nil)
  }

  @Test func sampleStandardDeviationUsesNMinusOne() throws {
    let statistics = try #require(SampleStatistics([1, 2, 3, 4]))
    #expect(statistics.count == 4)
    #expect(statistics.mean == 2.5)
    // √(5/3): the sample (n − 1) deviation, not the population one (√1.25).
    #expect(abs(statistics.standardDeviation! - (5.0 / 3).squareRoot()) < 1e-15)
    #expect(statistics.formatted == "2.500 ± 1.291")
  }

  @Test func meanAndDeviationShareDecimals() throws {
    let aucs = [0.9584, 0.9559, 0.9588, 0.9577, 0.9555, 0.9544, 0.9548, 0.9589, 0.9546, 0.9562]
    #expect(try #require(SampleStatistics(aucs)).formatted == "0.9565 ± 0.0018")
    #expect(
      try #require(SampleStatistics([25554, 25554, 25554], integers: true)).formatted
        == "25,554 ± 0")
    #expect(try #require(SampleStatistics([0.5])).formatted == "0.5000")
    #expect(try #require(SampleStatistics([0.5])).standardDeviation == nil)
    #expect(SampleStatistics([]) == nil)
  }

  @Test func meanIsExactForLargeOffsets() throws {
    let values = [1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3]
    let statistics = try #require(SampleStatistics(values))
    #expect(abs(statistics.mean - (1e9 + 0.2)) < 1e-6)
    #expect(abs(statistics.standardDeviation! - 0.1) < 1e-6)
  }

  @Test func durationsAndTimestamps() {
    #expect(Timestamp.seconds("1970-01-01T00:00:00Z") == 0)
    #expect(Timestamp.seconds("2000-03-01T00:00:01.500Z") == 951_868_801.5)
    #expect(Timestamp.seconds("yesterday") == nil)
    #expect(Timestamp.duration(161) == "2 min 41 s")
    #expect(Timestamp.duration(12.34) == "12.3 s")
    #expect(Timestamp.duration(3_900) == "1 h 05 min")
    #expect(Timestamp.display("2026-11-22T15:01:02.123Z") == "2026-11-22 15:01 UTC")
  }
}
