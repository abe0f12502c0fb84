import ROOTIO
import Testing

/// `Column`'s conversions.
@Suite struct ColumnTests {
  @Test func unsignedSixtyFourBitValuesBecomeTheirNumericValueAsDoubles() {
    let column = Column(
      type: .uint64, innerShape: [], offsets: nil,
      values: .uint64([10_303_605_990_167_092_979, 7]),
      entries: 2)
    #expect(column.doubles() == [10_303_605_990_167_092_979.0, 7])
  }
}
