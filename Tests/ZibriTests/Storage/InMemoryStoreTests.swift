import Testing
import Zibri
import ZibriTesting

@Suite struct InMemoryStoreTests {
    @Test func passesTheStoreConformanceSuite() async throws {
        try await StoreConformanceSuite { InMemoryStore() }.run()
    }
}
