import Foundation
import NIOCore
import Testing
import Zibri

@testable import ZibriRuntime

/// The recovery seam and claimed writes inside one outbox, without sockets.
@Suite(.timeLimit(.minutes(1))) struct OutboxTests {
    @Test func aMessageReplayedBeforeItWasDeliveredLiveGoesOutOnce() async throws {
        let outbox = Outbox(connection: WebSocketConnection(id: "c1", userID: nil), capacity: 16)
        outbox.hold()
        #expect(outbox.send("held 4", seq: 4))
        #expect(outbox.send("held 6", seq: 6))
        // The replay read messages up to 5 from the log (5 was logged, not yet delivered).
        outbox.release(after: 5, first: ["greeting", "replay 5"])
        // Now 5 is delivered live: already sent with the replay, so dropped; 7 goes out.
        #expect(outbox.send("live 5", seq: 5))
        #expect(outbox.send("live 7", seq: 7))
        #expect(outbox.send("volatile"))
        outbox.finish()
        var frames: [String] = []
        while let frame = await outbox.next() { frames.append(String(buffer: frame)) }
        #expect(frames == ["greeting", "replay 5", "held 6", "live 7", "volatile"])
    }

    /// A socket stand-in: records what is written, in order, by whom; a write can be held open.
    final class Socket: @unchecked Sendable {
        private let lock = NSLock()
        private var written: [String] = []
        private var gate: CheckedContinuation<Void, Never>?
        private var holdNext = false
        var writable = true
        var failNext = false

        var frames: [String] { lock.withLock { written } }

        /// The next write waits, as NIO's does for a full socket, until its task is cancelled,
        /// and then writes nothing.
        func stallNextWrite() { lock.withLock { stallNext = true } }
        private var stallNext = false

        /// The next write waits until `open()`.
        func holdNextWrite() { lock.withLock { holdNext = true } }
        func open() {
            lock.withLock {
                gate?.resume()
                gate = nil
            }
        }
        var isHolding: Bool { lock.withLock { gate != nil } }

        func write(_ frame: ByteBuffer, by writer: String) async throws {
            if lock.withLock({ stallNext }) {
                lock.withLock { stallNext = false }
                let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
                await withTaskCancellationHandler {
                    for await _ in stream {}
                } onCancel: {
                    continuation.finish()
                }
                throw CancellationError()
            }
            if lock.withLock({ holdNext }) {
                await withCheckedContinuation { continuation in
                    lock.withLock {
                        holdNext = false
                        gate = continuation
                    }
                }
            }
            if lock.withLock({ failNext }) {
                lock.withLock { failNext = false }
                throw CancellationError()
            }
            lock.withLock { written.append("\(String(buffer: frame)) by \(writer)") }
        }
    }

    /// An outbox with a socket and its writer task parked, as a live connection has.
    static func live(_ socket: Socket) async throws -> (Outbox, Task<Void, any Error>) {
        let outbox = Outbox(connection: WebSocketConnection(id: "c1", userID: nil), capacity: 4)
        outbox.attach(write: { try await socket.write($0, by: "deliverer") }, isWritable: { socket.writable })
        let writer = Task {
            while let frame = await outbox.next() { try await socket.write(frame, by: "writer") }
        }
        while !outbox.writerIsWaiting { try await Task.sleep(for: .milliseconds(1)) }
        return (outbox, writer)
    }

    @Test func anIdleOutboxIsClaimedAndLaterFramesWaitForTheClaimedWrite() async throws {
        let socket = Socket()
        let (outbox, writer) = try await Self.live(socket)
        let one = ByteBuffer(string: "1")
        #expect(outbox.claim(one, seq: 1))
        // Claimed: the next frame queues instead, and the writer may not overtake the claim.
        #expect(!outbox.claim(ByteBuffer(string: "2"), seq: 2))
        #expect(outbox.send("3"))
        socket.holdNextWrite()
        let claimed = Task { await outbox.write(claimed: one) }
        while !socket.isHolding { try await Task.sleep(for: .milliseconds(1)) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(socket.frames.isEmpty)  // the writer waited
        socket.open()
        await claimed.value
        outbox.finish()
        try await writer.value
        #expect(socket.frames == ["1 by deliverer", "2 by writer", "3 by writer"])
    }

    @Test func aBusyHeldOrUnwritableOutboxIsNotClaimed() async throws {
        let socket = Socket()
        let (outbox, writer) = try await Self.live(socket)
        socket.writable = false
        #expect(!outbox.claim(ByteBuffer(string: "queued: not writable"), seq: nil))
        socket.writable = true
        outbox.hold()
        #expect(!outbox.claim(ByteBuffer(string: "held"), seq: 1))
        outbox.release(after: 0, first: [])
        outbox.finish()
        #expect(!outbox.claim(ByteBuffer(string: "finished"), seq: nil))
        try await writer.value
        #expect(socket.frames == ["queued: not writable by writer", "held by writer"])
    }

    @Test func aClaimedFrameThatCouldNotBeWrittenGoesToTheWriterFirst() async throws {
        let socket = Socket()
        let (outbox, writer) = try await Self.live(socket)
        let one = ByteBuffer(string: "1")
        #expect(outbox.claim(one, seq: 1))
        #expect(outbox.send("2"))
        socket.failNext = true
        await outbox.write(claimed: one)
        outbox.finish()
        try await writer.value
        #expect(socket.frames == ["1 by writer", "2 by writer"])
    }

    @Test func aParkedWriterEndsWhenItsTaskIsCancelled() async throws {
        let (_, writer) = try await Self.live(Socket())
        writer.cancel()
        try await writer.value
    }
}
