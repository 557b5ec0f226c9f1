import Foundation
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing
import Zibri
import ZibriRuntime
import ZibriSchema
import ZibriTesting

/// Hostile HTTP requests on a real port: huge and many query parameters, headers and paths,
/// traversal attempts and random bodies. None gets a 500 or takes the server down; after each,
/// a normal request is answered.
@Suite(.timeLimit(.minutes(2))) struct HTTPFuzzTests {
    /// The status of a request, or nil when the server closed the connection instead of
    /// answering (what NIO does with a request head it will not parse).
    static func status(
        _ method: String, _ url: String, body: [UInt8]? = nil, headers: [String: String] = [:]
    ) async -> Int? {
        try? await LiveHTTP.request(method, url, bytes: body, headers: headers).status
    }

    @Test func hostileRequestsAreRefusedWithoutHarm() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        let app = try await HTTPFixture.application().makeApplication()
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let id = "6f1c2a56-2d3b-4c1e-9f00-1234567890ab"
            var cases: [(name: String, method: String, url: String, body: [UInt8]?, headers: [String: String])] = [
                (
                    "5000 undeclared parameters", "GET",
                    "\(base)/api/echo?" + (0..<5000).map { "p\($0)=\($0)" }.joined(separator: "&"), nil, [:]
                ),
                (
                    "a scalar given 3000 times", "GET",
                    "\(base)/api/echo?" + Array(repeating: "n=1", count: 3000).joined(separator: "&"), nil, [:]
                ),
                (
                    "an array given 3000 times", "GET",
                    "\(base)/api/echo?" + Array(repeating: "tag=x", count: 3000).joined(separator: "&"), nil, [:]
                ),
                ("a 100 kB header", "GET", "\(base)/api/echo", nil, ["X-Big": String(repeating: "a", count: 100_000)]),
                (
                    "a header count of 2000", "GET", "\(base)/api/echo", nil,
                    Dictionary(uniqueKeysWithValues: (0..<2000).map { ("X-H\($0)", "v") })
                ),
                ("a 20 kB path", "GET", "\(base)/api/" + String(repeating: "a", count: 20_000), nil, [:]),
                ("traversal", "GET", "\(base)/api/users/..%2F..%2Fetc%2Fpasswd", nil, [:]),
                ("dot segments", "GET", "\(base)/api/../api/users/\(id)/../../users/\(id)", nil, [:]),
                ("percent-encoded garbage", "GET", "\(base)/api/users/%FF%FE%00", nil, [:]),
                ("a count that is not one", "GET", "\(base)/api/echo", nil, ["X-Count": "1e400"]),
                ("invalid UTF-8 body", "POST", "\(base)/api/raw", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], [:]),
                ("deep body", "POST", "\(base)/api/raw", Array(String(repeating: "[", count: 1500).utf8), [:]),
            ]
            var generator = SeededGenerator(seed: seed)
            for index in 0..<30 {
                let bytes = (0..<Int.random(in: 0..<1500, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
                cases.append(("random body \(index)", "POST", "\(base)/api/raw", bytes, [:]))
            }
            for hostile in cases {
                let status = await Self.status(
                    hostile.method, hostile.url, body: hostile.body, headers: hostile.headers)
                let context = "\(hostile.name) (seed \(seed)): \(status.map(String.init) ?? "closed")"
                #expect(status.map { $0 < 500 } ?? true, "\(context)")
                #expect(await Self.status("GET", "\(base)/api/users/\(id)") == 200, "after \(context)")
            }
        }
    }

    /// `server.maxHeaderBytes` and `maxHeaders`: a request over either is refused before it is
    /// routed: the connection is closed (not left open and unanswered); one within them is
    /// served.
    @Test func headerLimitsComeFromTheSpec() async throws {
        let spec = """
            zibri: "1"
            info: { title: Headers, version: "1" }
            server: { maxHeaderBytes: 2048, maxHeaders: 20 }
            http:
              routes:
                GET /ping: { handler: ping, response: { type: string } }
            """
        let zibri = try ZibriApplication(yaml: spec, environment: [:])
        zibri.http.handle("ping") { (_: HTTPInput<NoBody>, _) in "pong" }
        try await zibri.makeApplication().test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))/ping"
            #expect(await Self.status("GET", url, headers: ["X-Big": String(repeating: "a", count: 1500)]) == 200)
            let port = try #require(client.port)
            let big = "X-Big: \(String(repeating: "a", count: 3000))\r\n"
            #expect(try await Self.closedWithinSeconds(port: port, head: "GET /ping HTTP/1.1\r\nHost: x\r\n\(big)\r\n"))
            let many = (0..<30).map { "X-H\($0): v\r\n" }.joined()
            #expect(
                try await Self.closedWithinSeconds(port: port, head: "GET /ping HTTP/1.1\r\nHost: x\r\n\(many)\r\n"))
            #expect(await Self.status("GET", url) == 200)
        }
    }

    /// `server.maxBodyBytes` holds for a body without a length too: a chunked one over it is a
    /// 413 problem, as one with a `Content-Length` is, not a 500.
    @Test func aChunkedBodyOverTheLimitIsA413() async throws {
        let app = try await HTTPFixture.application().makeApplication()
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let chunk = String(repeating: "x", count: 1000)
            var request = "POST /api/raw HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            request += "Transfer-Encoding: chunked\r\n\r\n"
            request += "9\r\n{\"a\": \"xx\r\n"
            for _ in 0..<3 { request += "3e8\r\n\(chunk)\r\n" }
            request += "2\r\n\"}\r\n0\r\n\r\n"
            let head = try await Self.responseHead(port: port, request: request)
            #expect(head.hasPrefix("HTTP/1.1 413"), "\(head)")
            #expect(head.lowercased().contains("content-type: application/problem+json"))
            // Within the limit, chunked is fine.
            let small =
                "POST /api/raw HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
            #expect(try await Self.responseHead(port: port, request: small).hasPrefix("HTTP/1.1 200"))
        }
    }

    /// The status line and headers the server answers `request` with, sent as raw bytes.
    static func responseHead(port: Int, request: String) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            do {
                for try await buffer in inbound {
                    text += String(buffer: buffer)
                    if let end = text.range(of: "\r\n\r\n") { return String(text[..<end.lowerBound]) }
                }
            } catch {}  // a server that answers before reading the whole body may reset after it
            return text
        }
    }

    /// Whether the server closes the connection within 3 s of this request head (rather than
    /// leaving it open and unanswered).
    static func closedWithinSeconds(port: Int, head: String) async throws -> Bool {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: head))
            return try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        for try await _ in inbound {}
                    } catch {}  // a reset is a close too
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(3))
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
        }
    }
}
