import Testing
@Suite struct HDF5PlaceholderTests { @Test func builds() {} }
