import Testing
import ZibriSchema

@Suite struct OriginsTests {
    @Test func originsAreNormalized() {
        #expect(Origins.normalize("https://App.Example.com:443/") == "https://app.example.com")
        #expect(Origins.normalize("http://localhost:3000") == "http://localhost:3000")
        #expect(Origins.normalize("http://example.com:80") == "http://example.com")
        #expect(Origins.normalize("*") == "*")
        for bad in [
            "example.com", "ftp://example.com", "https://example.com/app", "https://", "null", "https://a.b?x=1",
        ] {
            #expect(Origins.normalize(bad) == nil, "\(bad)")
        }
    }

    @Test func theRequestsOwnOriginIsAllowedWhateverItsDefaultPort() {
        #expect(Origins.allows(origin: "https://chat.example.com", host: "chat.example.com:443", allowed: []))
        #expect(Origins.allows(origin: "http://127.0.0.1:8080", host: "127.0.0.1:8080", allowed: []))
        #expect(!Origins.allows(origin: "http://127.0.0.1:8081", host: "127.0.0.1:8080", allowed: []))
        #expect(!Origins.allows(origin: "https://evil.example", host: "chat.example.com", allowed: []))
        #expect(!Origins.allows(origin: "https://chat.example.com", host: nil, allowed: []))
        // Programs: HummingbirdWSClient (so ZibriClient) sends the socket's own URL.
        #expect(Origins.allows(origin: "ws://127.0.0.1", host: "127.0.0.1:8080", allowed: []))
        #expect(Origins.allows(origin: "WSS://chat.example.com", host: "chat.example.com", allowed: []))
    }

    @Test func anOriginThatIsNotOneIsAnErrorAtItsPlace() {
        let result = SpecPipeline.lint(
            yaml: """
                zibri: "1"
                info: { title: T, version: "1" }
                websocket:
                  connection:
                    allowedOrigins: [https://ok.example, ok.example]
                """)
        #expect(
            result.diagnostics.map { (diagnostic: Diagnostic) in diagnostic.description } == [
                "spec.zibri.yaml:5:42: error: 'ok.example' is not an origin: write scheme://host[:port] (no path), or * for any [invalid-value]"
            ])
    }
}
