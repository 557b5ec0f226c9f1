import Foundation
public import ZibriSchema
import ZibriValidation

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

extension JSONValue {
    /// The JSON value of an `Encodable`, encoded as the runtime encodes answers (dates as
    /// RFC 3339): what `WebSocketService`'s sends take as `data`.
    public init(encoding value: some Encodable) throws {
        self = try JSONParser().parse([UInt8](try JSONEncoding.makeEncoder().encode(value)))
    }
}
