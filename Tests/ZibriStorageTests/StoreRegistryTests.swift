import Logging
import Testing
import ZibriSchema
import ZibriStorage

@Suite struct StoreRegistryTests {
    struct NamedFactory: StoreFactory {
        var schemes: [String]
        var name: String

        func open(_ location: StorageSetting, logger: Logger) throws -> OpenedStore {
            guard location.path != "//broken" else {
                throw StoreError(code: "storage-unavailable", message: "\(name) cannot open \(location)")
            }
            return .plain(InMemoryStore())
        }
    }

    let logger = Logger(label: "registry-test")

    @Test func theMemoryStoreIsAlwaysThere() throws {
        let opened = try StoreRegistry().open(.memory, logger: logger)
        #expect(opened.store is InMemoryStore)
        #expect(opened.runnable == nil)
        #expect(StoreRegistry().schemes == ["memory"])
    }

    @Test func anUnknownSchemeSaysWhichOnesAreKnown() throws {
        let registry = StoreRegistry([NamedFactory(schemes: ["redis"], name: "redis")])
        let error = #expect(throws: StoreError.self) {
            try registry.open(StorageSetting(parsing: "sqlite:app.sqlite")!, logger: logger)
        }
        #expect(error?.code == "unknown-storage")
        #expect(error?.message == "no store opens 'sqlite:' locations; this server knows memory:, redis:")
    }

    @Test func aFactoryOpensItsSchemesAndALaterOneReplacesThem() throws {
        let registry = StoreRegistry([NamedFactory(schemes: ["Redis", "rediss"], name: "first")])
            .adding(NamedFactory(schemes: ["rediss"], name: "second"))
        #expect(registry.schemes == ["memory", "redis", "rediss"])
        #expect(throws: Never.self) { try registry.open(StorageSetting(parsing: "REDIS://h")!, logger: logger) }
        let error = #expect(throws: StoreError.self) {
            try registry.open(StorageSetting(parsing: "rediss://broken")!, logger: logger)
        }
        #expect(error?.message == "second cannot open rediss://broken")
    }
}
