import Foundation
import Testing
import ZibriSchema

@Suite struct SpecPipelineTests {
    static let chat = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Corpus/valid/chat-features.yaml").path

    @Test func theChatSpecLoadsWithItsValuesAndDefaults() throws {
        let result = try SpecPipeline.lint(contentsOf: Self.chat, displayName: "chat.zibri.yaml")
        #expect(result.diagnostics.isEmpty)
        let spec = try #require(result.spec)
        #expect(spec.info.title == "Chat")
        #expect(spec.info.version == "1.0.0")
        #expect(spec.storage?.value == .sqlite(path: "chat.sqlite"))
        #expect(spec.auth?.jwt?.secretEnv == "CHAT_JWT_SECRET")
        #expect(spec.models.map(\.name) == ["User", "CreateUser", "UserPatch", "ChatMessage"])
        let route = try #require(spec.http.routes.first { $0.method == "POST" && $0.path == "/users" })
        #expect(route.handler?.value == "createUser")
        #expect(route.status?.value == 201)
        #expect(route.auth?.value == .required)
        #expect(route.roles?.value == ["admin"])
        #expect(route.handler?.location == SourceLocation(file: "chat.zibri.yaml", line: 44, column: 16))
        let websocket = try #require(spec.websocket)
        #expect(websocket.heartbeatInterval.milliseconds == 20_000)
        #expect(websocket.recoveryWindow.milliseconds == 120_000)
        #expect(websocket.channels.map(\.pattern) == ["room:{roomId}"])
        #expect(websocket.routes.first?.event == "chat message")
        #expect(websocket.outboundQueueSize == 1024)  // not written: the default
    }

    @Test func defaultsApplyWhenSectionsAreAbsent() throws {
        let spec = try #require(SpecPipeline.lint(yaml: "zibri: \"1\"\ninfo: { title: T, version: 1 }\n").spec)
        #expect(spec.server.host == "127.0.0.1")
        #expect(spec.server.port == 8080)
        #expect(spec.server.maxBodyBytes == 1_048_576)
        #expect(spec.effectiveStorage == .sqlite(path: "zibri.sqlite"))
        #expect(spec.websocket == nil)
    }

    @Test func aDefaultMakesAPropertyOptional() throws {
        let yaml = """
            zibri: "1"
            info: { title: T, version: "1" }
            models:
              A:
                properties:
                  a: { type: string, default: x }
                  b: { type: string, default: x, required: true }
                  c: { type: string }
            """
        let model = try #require(SpecPipeline.lint(yaml: yaml).spec?.model(named: "A"))
        #expect(model.properties.map(\.schema.required) == [false, true, true])
    }

    @Test func sourceLinesBreakWhereYAMLBreaksThem() throws {
        // LF, CRLF and a lone CR each end a line, as libyaml counts lines for positions.
        let source = SpecSource(file: "f", text: "a\rb\r\nc\nd\r")
        #expect(source.lineCount == 5)
        #expect((1...5).map { source.line($0) } == ["a", "b", "c", "d", ""])
        // So a diagnostic on a line after lone CRs is shown with its own line.
        let loaded = SpecPipeline.lint(
            yaml: "zibri: \"1\"\rinfo: {title: t, version: \"1\"}\rnope: 1\r", file: "cr.yaml")
        let unknown = try #require(loaded.diagnostics.first { $0.rule == "unknown-key" })
        #expect(unknown.location.line == 3)
        #expect(loaded.source?.line(unknown.location.line) == "nope: 1")
    }

    @Test func storageLocationsParse() {
        #expect(StorageSetting(parsing: "memory") == .memory)
        #expect(StorageSetting(parsing: "sqlite:data/app.sqlite") == .sqlite(path: "data/app.sqlite"))
        #expect(StorageSetting(parsing: "sqlite:data/app.sqlite")?.path == "data/app.sqlite")
        let postgres = StorageSetting(parsing: "postgres://u@h:5432/db")
        #expect(postgres?.scheme == "postgres" && postgres?.location == "postgres://u@h:5432/db")
        #expect(StorageSetting(parsing: "sqlite:") == nil)
        #expect(StorageSetting(parsing: "postgres://") == nil)
        #expect(StorageSetting(parsing: "postgresql:/db") == nil)
        // Any other scheme is a store the application may register; its scheme is lowercased.
        let plugged = StorageSetting(parsing: "Redis://h:6379")
        #expect(plugged?.scheme == "redis" && plugged?.path == "//h:6379")
        #expect(StorageSetting(parsing: "redis") == nil)
        #expect(StorageSetting(parsing: "1redis:x") == nil)
        #expect(StorageSetting(parsing: ":x") == nil)
    }

    @Test func durationsParseAndPrint() {
        #expect(SpecDuration(parsing: "500ms")?.milliseconds == 500)
        #expect(SpecDuration(parsing: "20s")?.milliseconds == 20_000)
        #expect(SpecDuration(parsing: "2m")?.milliseconds == 120_000)
        #expect(SpecDuration(parsing: "1h")?.milliseconds == 3_600_000)
        for bad in ["", "s", "20", "-1s", "1.5s", "2d", "99999999999999999999h"] {
            #expect(SpecDuration(parsing: bad) == nil, "\(bad)")
        }
        #expect(SpecDuration(milliseconds: 120_000).description == "2m")
        #expect(SpecDuration(milliseconds: 1500).description == "1500ms")
    }
}
