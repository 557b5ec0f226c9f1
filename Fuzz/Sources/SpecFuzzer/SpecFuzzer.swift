import Foundation
import ZibriSchema
import ZibriValidation

// SwiftPM links an executable's entry point under its own name, so libFuzzer's `main` is not
// used; its driver is started from ours instead (libFuzzer's documented LLVMFuzzerRunDriver).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main struct SpecFuzzer {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, { data, size in specFuzzerTestOneInput(data, size) }))
    }
}

/// libFuzzer's entry: any bytes as a spec file, through the whole pipeline `zibri lint` runs
/// (load, lint, compile). A crash, a hang (libFuzzer's -timeout) or runaway memory
/// (-rss_limit_mb) is a finding; so is a diagnostic that points outside the file, or a file
/// refused without an error.
func specFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let result = SpecChecker.check(bytes: bytes, file: "fuzz.yaml")
    if result.spec == nil && !result.diagnostics.hasErrors {
        fatalError("no spec and no error for \(size) bytes")
    }
    // Lines as YAML counts them (a lone CR ends a line too), whatever bytes came.
    let lineCount = SpecSource(file: "fuzz.yaml", text: String(decoding: bytes, as: UTF8.self)).lineCount
    for diagnostic in result.diagnostics
    where !(1...lineCount).contains(diagnostic.location.line) || diagnostic.location.column < 1 {
        fatalError("\(diagnostic) points outside the file (\(lineCount) lines)")
    }
    // Render as `zibri lint` would, so the renderer's caret and excerpt code runs too.
    if let source = result.source {
        _ = DiagnosticRenderer().render(result.diagnostics, sources: ["fuzz.yaml": source])
    }
    return 0
}
