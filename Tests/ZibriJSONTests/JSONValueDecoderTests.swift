import Foundation
import Testing
import ZibriJSON

@Suite struct JSONValueDecoderTests {
    @Test func integersDecodeIntoEveryWidthThatHoldsThem() throws {
        let decoder = JSONValueDecoder()
        #expect(try decoder.decode(UInt8.self, from: 255) == 255)
        #expect(try decoder.decode(Int.self, from: .number(3.0)) == 3)
        #expect(throws: DecodingError.self) { try decoder.decode(UInt8.self, from: 256) }
        #expect(try decoder.decode([Int?].self, from: [1, nil]) == [1, nil])
        #expect(try decoder.decode([String: Bool].self, from: ["a": true]) == ["a": true])
    }
}
