import Foundation
import NIOCore
import NIOPosix
import ZibriSchema

/// A WebSocket client written out byte by byte, for what a well-behaved client library never
/// does: text frames with invalid UTF-8, pings left unanswered. It also sees every control frame
/// the server sends.
struct RawWebSocket {
    struct Frame: Equatable {
        let opcode: UInt8
        let payload: [UInt8]

        static let text: UInt8 = 0x1
        static let close: UInt8 = 0x8
        static let ping: UInt8 = 0x9
        static let pong: UInt8 = 0xA

        /// The close code of a close frame.
        var closeCode: Int? {
            guard opcode == Self.close, payload.count >= 2 else { return nil }
            return Int(payload[0]) << 8 | Int(payload[1])
        }

        var text: String { String(decoding: payload, as: UTF8.self) }
    }

    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var buffered: [UInt8] = []

    /// Connects, upgrades on `path`, runs `body` and closes the socket.
    static func connect<Result: Sendable>(
        port: Int, path: String = "/ws", headers: [String: String] = [:],
        _ body: (inout RawWebSocket) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var socket = RawWebSocket(outbound: outbound, inbound: inbound.makeAsyncIterator())
            try await socket.upgrade(path: path, host: "127.0.0.1:\(port)", headers: headers)
            return try await body(&socket)
        }
    }

    private mutating func upgrade(path: String, host: String, headers: [String: String]) async throws {
        let extra = headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)\r\n" }.joined()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extra)\r\n"
        try await outbound.write(ByteBuffer(string: request))
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let range = buffered.firstRange(of: end) {
                let head = String(decoding: buffered[..<range.lowerBound], as: UTF8.self)
                guard head.hasPrefix("HTTP/1.1 101") else { throw RawError(message: "not upgraded: \(head)") }
                buffered.removeSubrange(..<range.upperBound)
                return
            }
            try await fill()
        }
    }

    private mutating func fill() async throws {
        guard var chunk = try await inbound.next() else { throw RawError(message: "the server closed the socket") }
        buffered += chunk.readBytes(length: chunk.readableBytes) ?? []
    }

    /// Sends one client frame, masked as RFC 6455 requires of clients unless `masked` is false.
    func send(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, masked: Bool = true) async throws {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            bytes.append(maskBit | UInt8(payload.count))
        } else {
            bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        guard masked else {
            try await outbound.write(ByteBuffer(bytes: bytes + payload))
            return
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        bytes += mask
        bytes += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    func send(text: String) async throws {
        try await send(opcode: Frame.text, Array(text.utf8))
    }

    /// The next server frame, or nil when the socket closes.
    mutating func next() async throws -> Frame? {
        while true {
            if let frame = takeFrame() { return frame }
            do {
                try await fill()
            } catch {
                return nil
            }
        }
    }

    /// The next text frame (as JSON) that matches; other frames are skipped. Throws when the
    /// socket closes first.
    mutating func receive(_ matches: (JSONValue) -> Bool = { _ in true }) async throws -> JSONValue {
        while let frame = try await next() {
            guard frame.opcode == Frame.text else {
                if frame.opcode == Frame.close { break }
                continue
            }
            let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(frame.payload))) ?? .null
            if matches(value) { return value }
        }
        throw RawError(message: "the connection closed before the frame came")
    }

    /// Closes normally and waits for the server's close.
    mutating func close() async throws {
        try await send(opcode: Frame.close, [0x03, 0xE8])
        _ = try await untilClose()
    }

    /// Frames until (and with) the server's close frame.
    mutating func untilClose() async throws -> [Frame] {
        var frames: [Frame] = []
        while let frame = try await next() {
            frames.append(frame)
            if frame.opcode == Frame.close { break }
        }
        return frames
    }

    private mutating func takeFrame() -> Frame? {
        guard buffered.count >= 2 else { return nil }
        var length = Int(buffered[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard buffered.count >= 4 else { return nil }
            length = Int(buffered[2]) << 8 | Int(buffered[3])
            offset = 4
        } else if length == 127 {
            guard buffered.count >= 10 else { return nil }
            length = buffered[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard buffered.count >= offset + length else { return nil }
        let frame = Frame(opcode: buffered[0] & 0x0F, payload: Array(buffered[offset..<offset + length]))
        buffered.removeSubrange(..<(offset + length))
        return frame
    }

    struct RawError: Error {
        let message: String
    }
}
