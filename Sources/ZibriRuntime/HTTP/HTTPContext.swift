import Foundation
public import Logging
import ZibriSchema
import ZibriValidation

/// What a handler can use besides its input.
public struct HTTPContext: Sendable {
    /// A logger whose lines carry the request's id.
    public let logger: Logger
    /// Sends to WebSocket connections, users and channels, so an HTTP POST can broadcast.
    public let websocket: WebSocketService

    /// The request's id, also in every log line about it.
    public var requestID: String { logger[metadataKey: "hb.request.id"]?.description ?? "" }
}
