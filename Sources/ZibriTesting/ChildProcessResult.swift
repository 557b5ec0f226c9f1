/// Runs a program to completion and captures its output: for tests of command-line tools.
public struct ChildProcessResult: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
}
