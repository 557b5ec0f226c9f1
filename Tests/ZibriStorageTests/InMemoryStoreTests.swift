import Testing
import ZibriStorage
import ZibriTesting

@Suite struct InMemoryStoreTests {
    @Test func passesTheStoreConformanceSuite() async throws {
        try await StoreConformanceSuite { InMemoryStore() }.run()
    }
}
