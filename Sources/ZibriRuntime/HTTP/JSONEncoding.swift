import Foundation
public import ZibriSchema
import ZibriValidation

extension JSONValue {
    /// The JSON value of an `Encodable`, encoded as the runtime encodes answers (dates as
    /// RFC 3339): what `WebSocketService`'s sends take as `data`.
    public init(encoding value: some Encodable) throws {
        self = try JSONParser().parse(try StreamingJSONEncoder().encode(value))
    }
}
