import HummingbirdWebSocket
import NIOCore
import Testing

@testable import ZibriRuntime

/// Frames into messages, without sockets: each frame's step.
@Suite struct MessageAssemblerTests {
    static func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test func fragmentsJoinIntoOneTextMessage() {
        var assembler = MessageAssembler(maxBytes: 10)
        #expect(assembler.add(.text, fin: true, data: Self.bytes("whole")) == .text("whole"))
        #expect(assembler.add(.text, fin: false, data: Self.bytes("ab")) == .partial)
        #expect(assembler.add(.continuation, fin: false, data: Self.bytes("cd")) == .partial)
        #expect(assembler.add(.continuation, fin: true, data: Self.bytes("ef")) == .text("abcdef"))
        // The next message starts afresh.
        #expect(assembler.add(.text, fin: true, data: Self.bytes("0123456789")) == .text("0123456789"))
    }

    @Test func theLimitCountsEveryFragment() {
        var assembler = MessageAssembler(maxBytes: 10)
        #expect(assembler.add(.text, fin: true, data: Self.bytes("0123456789x")) == .tooLarge)
        #expect(assembler.add(.text, fin: false, data: Self.bytes("012345")) == .partial)
        #expect(assembler.add(.continuation, fin: false, data: Self.bytes("6789")) == .partial)
        #expect(assembler.add(.continuation, fin: false, data: Self.bytes("x")) == .tooLarge)
    }

    @Test func binaryBadUTF8AndFragmentsOutOfOrderAreSaidSo() {
        var assembler = MessageAssembler(maxBytes: 10)
        #expect(assembler.add(.binary, fin: true, data: Self.bytes("b")) == .binary)
        #expect(assembler.add(.text, fin: true, data: ByteBuffer(bytes: [0x22, 0xC3, 0x28, 0x22])) == .invalidUTF8)
        // A character split across two fragments is still one character.
        #expect(assembler.add(.text, fin: false, data: ByteBuffer(bytes: [0xC3])) == .partial)
        #expect(assembler.add(.continuation, fin: true, data: ByteBuffer(bytes: [0xA9])) == .text("é"))
        #expect(assembler.add(.continuation, fin: true, data: Self.bytes("x")) == .outOfOrder)
        #expect(assembler.add(.text, fin: false, data: Self.bytes("a")) == .partial)
        #expect(assembler.add(.text, fin: true, data: Self.bytes("b")) == .outOfOrder)
        var other = MessageAssembler(maxBytes: 10)
        #expect(other.add(.text, fin: false, data: Self.bytes("a")) == .partial)
        #expect(other.add(.binary, fin: true, data: Self.bytes("b")) == .outOfOrder)
    }
}
