import Foundation
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle
import ZibriStorage

/// Keeps this node in step with the others that share the store: it delivers here what they
/// logged (through the dispatcher, in seq order), what they sent volatile, and the closes,
/// joins and leaves they asked of connections this node holds; and it beats, so that the others
/// know it is alive, and reaps the nodes that died without closing their sessions.
struct ClusterService: Service {
    let store: any SharedStore
    let websocket: WebSocketService
    let timing: ClusterTiming
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                // Not before the schema is there (the server migrates it before it listens).
                try await websocket.live.waitUntilStarted()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await listen() }
                    group.addTask { try await beat() }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            return
        }
    }

    private func listen() async {
        for await notice in store.notices { await handle(notice) }
    }

    func handle(_ notice: ClusterNotice) async {
        let nodeID = websocket.nodeID
        let live = websocket.live
        switch notice {
        case .logged(let seq):
            websocket.dispatcher.catchUp(to: seq)
        case .listening:
            // Whatever was logged while the listener was deaf.
            do {
                websocket.dispatcher.catchUp(to: try await store.lastSeq())
            } catch {
                logger.error("cannot catch up with the message log: \(error)")
            }
        case .volatile(let origin, let recipient, let excluded, let frame) where origin != nodeID:
            await live.deliverVolatile(frame, to: recipient, excluding: excluded)
        case .close(let origin, let connectionID, let code, let reason) where origin != nodeID:
            guard code == Int(WebSocketService.resumedCloseCode) else {
                live.outbox(connectionID)?.close(
                    WebSocketErrorCode(codeNumber: code), reason: reason, why: "server-closed")
                return
            }
            if let outbox = live.outbox(connectionID) {
                // Its worker releases the session once it has done (WebSocketRuntime.runHandlers).
                outbox.close(WebSocketErrorCode(codeNumber: code), reason: reason, why: DisconnectReason.resumedCode)
            } else {
                await websocket.release(connectionID)
            }
        case .released(let origin, let connectionID, let answers) where origin != nodeID:
            websocket.turns.released(connectionID, answers: answers.map { ByteBuffer(string: $0) })
        case .join(let origin, let connectionID, let channel) where origin != nodeID:
            guard live.outbox(connectionID) != nil else { return }
            do {
                try await websocket.join(connectionID, channel: channel)
            } catch {
                logger.error("connection \(connectionID) cannot join \(channel) for node \(origin): \(error)")
            }
        case .leave(let origin, let connectionID, let channel) where origin != nodeID:
            guard live.outbox(connectionID) != nil else { return }
            do {
                try await websocket.leave(connectionID, channel: channel)
            } catch {
                logger.error("connection \(connectionID) cannot leave \(channel) for node \(origin): \(error)")
            }
        case .joinUser(let origin, let userID, let channel) where origin != nodeID:
            // The store has recorded the membership already.
            websocket.joinLive(user: userID, channel: channel)
        case .leaveUser(let origin, let userID, let channel) where origin != nodeID:
            // The store has ended the memberships already.
            _ = live.leave(user: userID, channel: channel)
        case .volatile, .close, .join, .leave, .joinUser, .leaveUser, .released:
            return  // This node's own: already done.
        }
    }

    private func beat() async throws {
        var first = true
        while true {
            do {
                let known = try await store.beat(nodeID: websocket.nodeID, at: Date())
                if !known && !first {
                    // The others took this node for dead and ended its sessions: its clients
                    // reconnect (here or elsewhere) and recover.
                    logger.warning("node \(websocket.nodeID) was silent too long; closing its connections with 1012")
                    websocket.live.closeAll(.unknown(1012), reason: "service restart", forever: false)
                }
                first = false
                let reaped = try await store.reapNodes(
                    silentSince: Date().addingTimeInterval(-timing.silenceLimit.seconds))
                if !reaped.isEmpty { logger.info("nodes gone silent, their sessions closed: \(reaped)") }
            } catch {
                logger.error("node heartbeat failed: \(error)")
            }
            try await Task.sleep(for: timing.beatInterval)
        }
    }
}
