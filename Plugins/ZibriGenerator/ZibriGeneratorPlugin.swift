// The ZibriGenerator build plugin: for every `*.zibri.yaml` in a target, the Swift types and
// typed handler registration of `zibri generate swift`, made at build time into the plugin's
// work folder and compiled with the target. A spec with errors fails the build, with each
// diagnostic at the spec's file:line:column.
import Foundation
import PackagePlugin

@main
struct ZibriGeneratorPlugin: BuildToolPlugin {
    struct NoSpec: Error, CustomStringConvertible {
        let target: String
        var description: String {
            "the ZibriGenerator plugin found no *.zibri.yaml file in the target '\(target)': add the spec to the target's folder"
        }
    }

    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        return try commands(
            specs: target.sourceFiles.map(\.url), targetName: target.name,
            workFolder: context.pluginWorkDirectoryURL, tool: try context.tool(named: "zibri-generator").url)
    }

    func commands(specs files: [URL], targetName: String, workFolder: URL, tool: URL) throws -> [Command] {
        let specs = files.filter { url in
            let name = url.lastPathComponent
            return name.hasSuffix(".zibri.yaml") || name.hasSuffix(".zibri.yml")
        }.sorted { $0.path < $1.path }
        guard !specs.isEmpty else { throw NoSpec(target: targetName) }
        let folder = workFolder.appendingPathComponent("GeneratedSources")
        return specs.map { spec in
            let name = spec.lastPathComponent
            let base = String(name.prefix { $0 != "." })
            let output = folder.appendingPathComponent(base + ".zibri.swift")
            var arguments = [spec.path, "--output", output.path]
            // Two specs in one target: each in its own namespace, or their types would clash.
            if specs.count > 1 { arguments += ["--namespace", Self.typeName(base)] }
            return .buildCommand(
                displayName: "Generating Swift types from \(name)", executable: tool, arguments: arguments,
                inputFiles: [spec, tool], outputFiles: [output])
        }
    }

    /// `chat` → `Chat`, `todo-api` → `TodoApi`: as `zibri generate swift` names types.
    static func typeName(_ base: String) -> String {
        let words = base.split { !($0.isLetter || $0.isNumber) }
        let name = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        return name.first?.isNumber == false ? name : "Spec" + name
    }
}

#if canImport(XcodeProjectPlugin)
import XcodeProjectPlugin

extension ZibriGeneratorPlugin: XcodeBuildToolPlugin {
    func createBuildCommands(context: XcodePluginContext, target: XcodeTarget) throws -> [Command] {
        try commands(
            specs: target.inputFiles.map(\.url), targetName: target.displayName,
            workFolder: context.pluginWorkDirectoryURL, tool: try context.tool(named: "zibri-generator").url)
    }
}
#endif
