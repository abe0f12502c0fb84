import Testing
@Suite struct ROOTIOPlaceholderTests { @Test func builds() {} }
