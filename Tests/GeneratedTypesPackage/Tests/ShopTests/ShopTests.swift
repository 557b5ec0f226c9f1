import Foundation
import Logging
import ServiceLifecycle
import Shop
import Testing
import Zibri
import ZibriClient
import ZibriSchema

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The generated types against a live server: typed handlers get the validated values, their
/// answers are encoded as the spec says, and code generated from another spec is refused.
@Suite(.timeLimit(.minutes(2))) struct ShopTests {
    /// Runs the shop on a free port for `body`, then stops it as SIGTERM would.
    static func withShop(_ body: @Sendable (Int) async throws -> Void) async throws {
        let app = try Shop.application()
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        app.onListening = { port in portSink.yield(port) }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: try await app.service())], logger: Logger(label: "shop-test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func request(_ method: String, _ url: String, _ body: String? = nil) async throws -> (Int, JSONValue) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = data.isEmpty ? JSONValue.null : try JSONDecoder().decode(JSONValue.self, from: data)
        return (status, json)
    }

    @Test func typedHTTPHandlersGetValidatedValuesAndAnswerAsTheSpecSays() async throws {
        try await Self.withShop { port in
            let base = "http://127.0.0.1:\(port)"
            let (status, created) = try await Self.request(
                "POST", "\(base)/products",
                #"{"name": "Kite", "price": 12.5, "category": {"name": "toys", "parent": {"name": "all"}}}"#)
            #expect(status == 201)
            // The default `status` was filled in before the typed handler ran; the recursive
            // `parent` went through its box both ways; a required nullable date is sent as null;
            // an absent optional is left out.
            #expect(
                created
                    == [
                        "id": 1, "name": "Kite", "status": "draft", "price": 12.5,
                        "category": ["name": "toys", "parent": ["name": "all"]], "discontinuedAt": nil,
                    ])
            let (readStatus, read) = try await Self.request("GET", "\(base)/products/1")
            #expect(readStatus == 200)
            #expect(read == created)

            let (invalid, problem) = try await Self.request(
                "POST", "\(base)/products", #"{"name": "", "price": -1, "category": {"name": "toys"}}"#)
            #expect(invalid == 400)
            #expect(problem["errors"]?.array?.compactMap { $0["pointer"]?.string } == ["/body/name", "/body/price"])

            let (_, stock) = try await Self.request("GET", "\(base)/stock")
            #expect(stock == ["apples": 3, "pears": 0])
            let (_, found) = try await Self.request("POST", "\(base)/search", #"{"words": "kit"}"#)
            #expect(found.array?.count == 1)
        }
    }

    @Test func typedWebSocketHandlersPoliciesAndHooks() async throws {
        try await Self.withShop { port in
            let client = ZibriClient(url: "ws://127.0.0.1:\(port)/ws")
            let running = Task { try await client.run() }
            defer { running.cancel() }
            var events = client.events.makeAsyncIterator()
            let welcome = try #require(await events.next())
            #expect(welcome.event == "welcome")
            #expect(welcome.data["connection"]?.string == client.status.connectionID)

            let review = try await client.request(
                event: "review", body: ["product": 1, "stars": 5, "text": "  Flies well.  "])
            #expect(review == ["product": 1, "stars": 5, "text": "Flies well."])
            await #expect(throws: ZibriClientError.self) {
                _ = try await client.request(event: "review", body: ["product": 1, "stars": 6, "text": ""])
            }
            #expect(try await client.request(event: "ping") == .null)
            _ = try await client.request(event: "ws:join", body: ["channel": "product:1"])
            do {
                _ = try await client.request(event: "ws:join", body: ["channel": "product:13"])
                Issue.record("the typed join policy should have said no")
            } catch let error as ZibriClientError {
                #expect(error.status == 403)
            }
            await client.stop()
        }
    }

    @Test func codeGeneratedFromAnotherVersionOfTheSpecIsRefused() async throws {
        let spec = try String(contentsOfFile: Shop.specPath, encoding: .utf8)
        let edited = spec.replacingOccurrences(
            of: "stars: { type: integer, minimum: 1, maximum: 5 }", with: "stars: { type: string }")
        #expect(edited != spec)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("shop-\(UUID().uuidString).zibri.yaml")
        try edited.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let app = try Shop.application(spec: file.path)
        do {
            try await app.run()
            Issue.record("expected the start to fail")
        } catch let error as ZibriError {
            #expect(error.code == "stale-generated-code")
            #expect(error.message.contains("made from another version of shop.zibri.yaml"))
        }
    }
}
