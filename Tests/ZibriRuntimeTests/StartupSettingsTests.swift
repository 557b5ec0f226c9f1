import Configuration
import Logging
import Testing
import Zibri
import ZibriRuntime

/// Settings come from a swift-configuration reader: the environment by default, and whatever a
/// server puts above it.
@Suite struct StartupSettingsTests {
    static let spec = """
        zibri: "1"
        info: { title: Settings, version: "1" }
        server: { host: 127.0.0.9, port: 9999 }
        storage: sqlite:never-opened.sqlite
        auth: { jwt: { secretEnv: SETTINGS_JWT_SECRET } }
        http:
          routes:
            GET /health: { handler: health }

        """

    static func application(_ providers: [any ConfigProvider]) throws -> ZibriApplication {
        var logger = Logger(label: "settings-test")
        logger.logLevel = .error
        return try ZibriApplication(
            yaml: spec, file: "settings.zibri.yaml", configuration: ConfigReader(providers: providers), logger: logger)
    }

    @Test func aProviderAboveTheEnvironmentWinsAndTheSpecFillsTheRest() async throws {
        let flags = InMemoryProvider(values: [
            "zibri.port": "0", "zibri.nodeId": "from-flags",
            // The JWT secret is a key of one component: the variable's name as it is.
            "SETTINGS_JWT_SECRET": ConfigValue(.string(String(repeating: "f", count: 32)), isSecret: true),
        ])
        let environment = EnvironmentVariablesProvider(environmentVariables: [
            "ZIBRI_PORT": "8081", "ZIBRI_STORAGE_URL": "memory", "ZIBRI_NODE_ID": "from-environment",
        ])
        let app = try Self.application([flags, environment])
        #expect(app.port == 0)
        #expect(app.nodeID == "from-flags")
        #expect(app.storage == .memory)
        #expect(app.host == "127.0.0.9")
        app.http.handle("health") { (_: HTTPInput<NoBody>, _) in "ok" }
        // The secret came from the provider above the environment, which has none.
        _ = try await app.makeApplication()
    }

    @Test func anUnusableValueStopsTheStartNamingTheVariableAndTheKey() throws {
        let cases = [
            ("ZIBRI_PORT", "80a", "ZIBRI_PORT (zibri.port) must be a port number 0-65535, is '80a'"),
            ("ZIBRI_PORT", "65536", "ZIBRI_PORT (zibri.port) must be a port number 0-65535, is '65536'"),
            (
                "ZIBRI_STORAGE_URL", "nowhere",
                "ZIBRI_STORAGE_URL (zibri.storageUrl) must be memory, sqlite:PATH, postgres://... or SCHEME:..., is 'nowhere'"
            ),
        ]
        for (name, value, message) in cases {
            #expect {
                try Self.application([EnvironmentVariablesProvider(environmentVariables: [name: value])])
            } throws: { error in
                let error = error as? ZibriError
                return error?.code == "invalid-environment" && error?.message == message
            }
        }
    }
}
