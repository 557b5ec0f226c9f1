import HummingbirdWebSocket
import NIOCore

/// Joins a client's data frames into messages (RFC 6455 §5.4), under the size limit, as a pure
/// state machine: each frame gives one step for the reader to carry out. Joining here rather
/// than in HummingbirdWebSocket's `messages(maxSize:)` lets a message that grows over the limit
/// across fragments be answered 413 before its 1009 close, as a single frame is.
struct MessageAssembler {
    enum Step: Equatable {
        /// A whole text message.
        case text(String)
        /// More fragments are to come.
        case partial
        /// A binary message begins: the runtime takes text only (close 1003).
        case binary
        /// The message is over `maxBytes`: answer 413, close 1009.
        case tooLarge
        /// The text is not UTF-8: close 1007.
        case invalidUTF8
        /// A continuation with nothing to continue, or a new message inside one: close 1002.
        case outOfOrder
    }

    let maxBytes: Int
    /// The fragments of the text message under way.
    private var pending: ByteBuffer?

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    mutating func add(_ opcode: WebSocketDataFrame.Opcode, fin: Bool, data: ByteBuffer) -> Step {
        switch opcode {
        case .binary:
            return pending == nil ? .binary : .outOfOrder
        case .text:
            guard pending == nil else { return .outOfOrder }
            guard data.readableBytes <= maxBytes else { return .tooLarge }
            if fin { return Self.decode(data) }
            pending = data
            return .partial
        case .continuation:
            guard var bytes = pending else { return .outOfOrder }
            guard bytes.readableBytes + data.readableBytes <= maxBytes else {
                pending = nil
                return .tooLarge
            }
            var data = data
            bytes.writeBuffer(&data)
            guard fin else {
                pending = bytes
                return .partial
            }
            pending = nil
            return Self.decode(bytes)
        }
    }

    private static func decode(_ bytes: ByteBuffer) -> Step {
        guard let text = String(validating: bytes.readableBytesView, as: UTF8.self) else { return .invalidUTF8 }
        return .text(text)
    }
}
