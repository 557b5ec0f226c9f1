import Foundation
import ZibriSchema

/// The encoder for answers, HTTP and WebSocket alike: dates as RFC 3339, as validation reads them.
enum JSONEncoding {
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.format(date))
        }
        return encoder
    }
}
