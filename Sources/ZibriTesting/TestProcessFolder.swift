public import Foundation

/// A folder for one test process's files, removed when the process exits: for tests that make
/// files where removing each one by hand would clutter the test.
public enum TestProcessFolder {
    public static let url: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "zibri-tests-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestProcessFolder.url) }
        return url
    }()
}
