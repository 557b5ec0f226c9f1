import Foundation
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Testing
import ZibriRuntime
import ZibriSchema
import ZibriStorage

/// A store the runtime has never heard of, plugged in through a `StoreFactory`: the runtime
/// alone (no SQLite, no PostgreSQL) serves with it, runs its background work and prepares it
/// before the first connection.
@Suite(.timeLimit(.minutes(1))) struct PluggedStoreTests {
    /// The memory store, keeping a journal of when it was run and prepared, and of the
    /// operations the test looks for.
    final class JournalingStore: ForwardingStore, RunnableStore, @unchecked Sendable {
        let base = InMemoryStore()
        private let lock = NSLock()
        private var entries: [String] = []
        var journal: [String] { lock.withLock { entries } }
        func note(_ entry: String) { lock.withLock { entries.append(entry) } }

        func run() async throws {
            note("run")
            // Background work lasts until the server stops it.
            try? await Task.sleep(for: .seconds(3600))
        }
        func prepare() async throws { note("prepare") }

        func openSession(_ session: SessionRecord) async throws {
            note("openSession")
            await base.openSession(session)
        }
        func append(_ entries: [LogEntry]) async throws -> [StoredMessage] {
            note("append \(entries.map(\.event))")
            return await base.append(entries)
        }
    }

    struct JournalingFactory: StoreFactory {
        let store: JournalingStore
        var schemes: [String] { ["journal"] }
        func open(_ location: StorageSetting, logger: Logger) throws -> OpenedStore { .running(store) }
    }

    static func spec(storage: String) -> String {
        """
        zibri: "1"
        info: { title: Plugged, version: "1" }
        storage: \(storage)
        websocket:
          path: /ws
          routes:
            shout: { handler: shout, body: { type: string } }
        """
    }

    @Test func aStoreFromOutsideServesTheRuntime() async throws {
        let store = JournalingStore()
        let app = try ZibriApplication(
            yaml: Self.spec(storage: "journal:anything"), stores: StoreRegistry([JournalingFactory(store: store)]),
            environment: [:], logger: Logger(label: "plugged-test"))
        app.websocket.handle("shout") { (text: String, context) -> JSONValue? in
            try await context.websocket.sendToAll(event: "shout", data: .string(text), from: context.connection)
            return nil
        }
        try await app.makeApplication().test(.live) { client in
            let port = try #require(client.port)
            _ = try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/ws", logger: Logger(label: "client")) {
                inbound, outbound, _ in
                var frames = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
                _ = try await frames.next()  // ws:connected
                try await outbound.write(.text(#"{"event": "shout", "body": "hello", "ack": 1}"#))
                var events: [String] = []
                while events.count < 2, case .text(let text)? = try await frames.next() {
                    events.append(text)
                }
                #expect(events.contains { $0.contains(#""event":"shout""#) && $0.contains("hello") })
                try await outbound.close(.normalClosure, reason: nil)
            }
        }
        let journal = store.journal
        #expect(journal.first == "run" || journal.first == "prepare")
        #expect(journal.prefix(3).contains("prepare") && journal.contains("run"))
        #expect(journal.firstIndex(of: "prepare")! < journal.firstIndex(of: "openSession")!)
        #expect(journal.contains(#"append ["shout"]"#))
    }

    @Test func aSchemeNoFactoryOpensStopsTheServerWithTheKnownOnes() throws {
        // The runtime alone knows only the memory store; `import Zibri` adds SQLite and PostgreSQL.
        let error = #expect(throws: ZibriError.self) {
            try ZibriApplication(
                yaml: Self.spec(storage: "sqlite:plugged.sqlite"), stores: StoreRegistry(), environment: [:])
        }
        #expect(error?.code == "unknown-storage")
        #expect(error?.message == "no store opens 'sqlite:' locations; this server knows memory:")
    }
}
