import Logging
import Testing
import Zibri
import ZibriRuntime

/// The route table is built in one pass: whatever is missing, on either side, is in one error.
@Suite struct RouteTableBuilderTests {
    @Test func missingHTTPAndWebSocketHandlersAreReportedTogether() async throws {
        let spec = """
            zibri: "1"
            info: { title: Both, version: "1" }
            storage: memory
            http:
              routes:
                GET /rooms: { handler: listRooms }
            websocket:
              lifecycle: { onConnect: greet }
              routes:
                say: { handler: say }
            """
        var logger = Logger(label: "route-table-test")
        logger.logLevel = .critical
        let app = try ZibriApplication(yaml: spec, file: "both.zibri.yaml", environment: [:], logger: logger)
        app.websocket.handle("shout") { (_: String, _) -> String? in nil }
        do {
            _ = try await app.makeApplication()
            Issue.record("expected a failure")
        } catch let error as ZibriError {
            #expect(error.code == "missing-handlers")
            #expect(
                error.message == """
                    the spec names handlers or policies that are not registered:
                    both.zibri.yaml:6:28: handler 'listRooms' is not registered
                    both.zibri.yaml:10:21: handler 'say' is not registered
                    both.zibri.yaml:8:27: onConnect handler 'greet' is not registered
                    """)
        }
    }
}
