import Foundation

/// Writes a `SwiftPlan` as Swift source, four spaces to the level, in a fixed order.
struct SwiftRenderer {
    let plan: SwiftPlan
    let options: SwiftGenerationOptions
    let specFile: String

    private var access: String { options.access == .public ? "public " : "" }

    private final class Lines {
        var text = ""
        var level = 0

        func line(_ content: String = "") {
            text += content.isEmpty ? "\n" : String(repeating: "    ", count: level) + content + "\n"
        }

        func doc(_ lines: [String]) {
            for content in lines { line("/// " + content) }
        }

        /// `opening {`, the body one level in, `}`.
        func block(_ opening: String, _ body: () -> Void) {
            line(opening + " {")
            indented(body)
            line("}")
        }

        func indented(_ body: () -> Void) {
            level += 1
            body()
            level -= 1
        }

        func fits(_ content: String, at level: Int) -> Bool {
            level * 4 + content.count <= SwiftRenderer.lineLength
        }

        /// A declaration with parameters, as swift-format writes it: on one line if it fits,
        /// else the parameters packed onto lines of their own between `head(` and `) {`.
        func function(_ head: String, _ parameters: [Parameter], _ body: () -> Void) {
            let oneLine = head + "(" + parameters.map(\.text).joined(separator: ", ") + ") {"
            if fits(oneLine, at: level) {
                line(oneLine)
            } else {
                line(head + "(")
                indented { pack(parameters) }
                line(") {")
            }
            indented(body)
            line("}")
        }

        /// Parameters, as many to a line as fit; a closure type too long for a line is broken
        /// inside its parentheses.
        private func pack(_ parameters: [Parameter]) {
            var current = ""
            for (index, parameter) in parameters.enumerated() {
                let comma = index < parameters.count - 1 ? "," : ""
                let text = parameter.text + comma
                if current.isEmpty, fits(text, at: level) {
                    current = text
                } else if !current.isEmpty, fits(current + " " + text, at: level) {
                    current += " " + text
                } else {
                    if !current.isEmpty { line(current) }
                    current = ""
                    if fits(text, at: level) {
                        current = text
                    } else if case .closure(let label, let attributes, let inner, let result) = parameter {
                        line(label + ":")
                        indented {
                            line(attributes + " (")
                            indented { pack(inner.map(Parameter.plain)) }
                            line(") " + result + comma)
                        }
                    } else {
                        line(text)
                    }
                }
            }
            if !current.isEmpty { line(current) }
        }

        /// `call { signature in`, the body, `}`; the signature on a line of its own when the
        /// whole does not fit.
        func closure(_ call: String, _ signature: String, _ body: () -> Void) {
            let oneLine = call + " { " + signature + " in"
            if fits(oneLine, at: level) {
                line(oneLine)
                indented(body)
            } else {
                line(call + " {")
                indented {
                    line(signature + " in")
                    body()
                }
            }
            line("}")
        }
    }

    enum Parameter {
        case plain(String)
        /// `label: attributes (parameters) result`, e.g. `_ handler: @escaping @Sendable (A, B) async throws -> C`.
        case closure(label: String, attributes: String, parameters: [String], result: String)

        var text: String {
            switch self {
            case .plain(let text): text
            case .closure(let label, let attributes, let parameters, let result):
                "\(label): \(attributes) (\(parameters.joined(separator: ", "))) \(result)"
            }
        }

        static func handler(_ label: String, _ parameters: [String], returning result: String) -> Parameter {
            .closure(
                label: label, attributes: "@escaping @Sendable", parameters: parameters,
                result: "async throws -> \(result)")
        }
    }

    static let lineLength = 120

    /// `Chat` for chat.zibri.yaml: the handlers' type is `ChatHandlers` without a namespace.
    static func baseName(ofSpecFile file: String) -> String {
        let name = (file as NSString).lastPathComponent
        return SwiftNames.typeName(String(name.prefix { $0 != "." }))
    }

    func render() -> String {
        let out = Lines()
        let fileName = (specFile as NSString).lastPathComponent
        out.line(
            "// Generated by `zibri generate swift` from \(fileName). Do not edit: edit the spec and generate again.")
        out.line("// swift-format-ignore-file")
        out.line()
        let importAccess = options.access == .public ? "public " : ""
        if plan.usesDate { out.line("\(importAccess)import Foundation") }
        out.line("\(importAccess)import Zibri")
        // Public only where a public declaration shows one of its types; otherwise the compiler
        // warns that the public import is not needed.
        out.line("\(schemaInSignatures ? importAccess : "")import ZibriSchema")
        let handlersType: String
        let property: String
        if let namespace = options.namespace {
            handlersType = "\(namespace).Handlers"
            property = SwiftNames.memberName(namespace) + "Handlers"
            out.line()
            out.doc(["The types of \(fileName)."])
            out.block("\(access)enum \(namespace)") {
                renderBody(handlersName: "Handlers", out)
            }
        } else {
            handlersType = plan.uniqueTopLevelName(Self.baseName(ofSpecFile: specFile) + "Handlers")
            property = "handlers"
            out.line()
            renderBody(handlersName: handlersType, out)
        }
        out.line()
        out.block("extension Zibri.ZibriApplication") {
            out.doc([
                "The handlers \(fileName) names, registered with their types; `http`, `websocket` and `policies` still take names."
            ])
            out.line("\(access)var \(property): \(handlersType) { \(handlersType)(self) }")
        }
        return out.text
    }

    /// Whether a declared type mentions ZibriSchema (`JSONValue`), beyond private storage.
    private var schemaInSignatures: Bool {
        func mentions(_ declaration: SwiftDeclaration) -> Bool {
            switch declaration {
            case .alias(_, _, let target): target.contains("ZibriSchema.")
            case .enumeration: false
            case .input: true
            case .structure(let value):
                value.properties.contains { $0.type.contains("ZibriSchema.") } || value.nested.contains(where: mentions)
            }
        }
        return plan.declarations.contains(where: mentions)
            || plan.handlers.contains {
                ($0.body ?? "").contains("ZibriSchema.") || ($0.response ?? "").contains("ZibriSchema.")
            }
    }

    private func renderBody(handlersName: String, _ out: Lines) {
        for declaration in plan.declarations {
            render(declaration, out)
            out.line()
        }
        renderHandlers(named: handlersName, out)
    }

    private func render(_ declaration: SwiftDeclaration, _ out: Lines) {
        switch declaration {
        case .alias(let name, let doc, let target):
            out.doc(doc)
            out.line("\(access)typealias \(name) = \(target)")
        case .enumeration(let value):
            out.doc(value.doc)
            out.block(
                "\(access)enum \(value.name): Swift.String, Swift.Codable, Swift.Hashable, Swift.Sendable, Swift.CaseIterable"
            ) {
                for member in value.cases {
                    let name = SwiftNames.declared(member.name)
                    out.line(
                        member.name == member.raw ? "case \(name)" : "case \(name) = \(SwiftNames.literal(member.raw))")
                }
            }
        case .structure(let value):
            render(value, out)
        case .input(let value):
            render(value, out)
        }
    }

    private func render(_ value: SwiftInput, _ out: Lines) {
        out.doc(value.doc)
        out.block("\(access)struct \(value.name): Swift.Sendable") {
            out.doc(["The body, validated and decoded."])
            out.line("\(access)var body: \(value.body)")
            if value.params != nil { out.line("\(access)var params: Params") }
            if value.query != nil {
                out.doc(["Defaults are filled in."])
                out.line("\(access)var query: Query")
            }
            out.doc(["The headers the spec declares, validated."])
            out.line("\(access)var headers: ZibriSchema.JSONValue")
            out.doc(["The authenticated user, or nil."])
            out.line("\(access)var user: Zibri.User?")
            out.line()
            out.block("\(access)init(_ input: Zibri.HTTPInput<\(value.body)>) throws") {
                out.line("self.body = input.body")
                if value.params != nil { out.line("self.params = try input.params(as: Params.self)") }
                if value.query != nil { out.line("self.query = try input.query(as: Query.self)") }
                out.line("self.headers = input.headers")
                out.line("self.user = input.user")
            }
            for part in [value.params, value.query].compactMap({ $0 }) {
                out.line()
                render(part, out)
            }
        }
    }

    private func render(_ value: SwiftStruct, _ out: Lines) {
        out.doc(value.doc)
        out.block("\(access)struct \(value.name): Swift.Codable, Swift.Hashable, Swift.Sendable") {
            for property in value.properties {
                out.doc(property.doc)
                let name = SwiftNames.declared(property.swiftName)
                if property.boxed {
                    let storage = "_" + property.swiftName
                    out.block("\(access)var \(name): \(property.declaredType)") {
                        if property.optional {
                            out.line("get { \(storage)?.value }")
                            out.line("set { \(storage) = newValue.map(ZibriSchema.RecursiveBox.init) }")
                        } else {
                            out.line("get { \(storage).value }")
                            out.line("set { \(storage) = ZibriSchema.RecursiveBox(newValue) }")
                        }
                    }
                } else {
                    out.line("\(access)var \(name): \(property.declaredType)")
                }
            }
            for property in value.properties where property.boxed {
                let mark = property.optional ? "?" : ""
                out.line("private var _\(property.swiftName): ZibriSchema.RecursiveBox<\(property.type)>\(mark)")
            }
            for nested in value.nested {
                out.line()
                render(nested, out)
            }
            out.line()
            renderInit(value, out)
            if !value.properties.isEmpty {
                out.line()
                out.block("private enum CodingKeys: Swift.String, Swift.CodingKey") {
                    for property in value.properties {
                        let name = SwiftNames.declared(property.swiftName)
                        out.line(
                            property.swiftName == property.jsonName
                                ? "case \(name)" : "case \(name) = \(SwiftNames.literal(property.jsonName))")
                    }
                }
            }
            if value.needsCustomCoding { renderCoding(value, out) }
        }
    }

    private func renderInit(_ value: SwiftStruct, _ out: Lines) {
        let parameters = value.properties.map { property in
            let name = SwiftNames.declared(property.swiftName)
            var text = "\(name): \(property.declaredType)"
            if let literal = property.defaultLiteral {
                text += " = \(literal)"
            } else if property.optional {
                text += " = nil"
            }
            return text
        }
        out.function("\(access)init", parameters.map(Parameter.plain)) {
            for property in value.properties {
                out.line(storing(property, SwiftNames.declared(property.swiftName)))
            }
        }
    }

    /// `self.name = value`; a boxed property's box is stored directly, as an initializer must
    /// set every stored property before it may use a computed one.
    private func storing(_ property: SwiftProperty, _ value: String) -> String {
        guard property.boxed else { return "self.\(property.swiftName) = \(value)" }
        let box =
            property.optional ? "\(value).map(ZibriSchema.RecursiveBox.init)" : "ZibriSchema.RecursiveBox(\(value))"
        return "self._\(property.swiftName) = \(box)"
    }

    private func renderCoding(_ value: SwiftStruct, _ out: Lines) {
        out.line()
        out.block("\(access)init(from decoder: any Swift.Decoder) throws") {
            out.line("let container = try decoder.container(keyedBy: CodingKeys.self)")
            for property in value.properties {
                let method = property.optional ? "decodeIfPresent" : "decode"
                let key = SwiftNames.declared(property.swiftName)
                let decoding = "try container.\(method)(\(property.type).self, forKey: .\(key))"
                if property.boxed {
                    // Decoded first, then boxed: one short statement each.
                    out.line("let \(key) = \(decoding)")
                    out.line(storing(property, key))
                } else {
                    out.line(storing(property, decoding))
                }
            }
        }
        out.line()
        out.block("\(access)func encode(to encoder: any Swift.Encoder) throws") {
            out.line("var container = encoder.container(keyedBy: CodingKeys.self)")
            for property in value.properties {
                // A required nullable property is sent as `null`; an optional one is left out.
                let method = property.optional && !property.encodesNull ? "encodeIfPresent" : "encode"
                out.line(
                    "try container.\(method)(self.\(property.swiftName), forKey: .\(SwiftNames.declared(property.swiftName)))"
                )
            }
        }
    }

    private func renderHandlers(named name: String, _ out: Lines) {
        out.doc(["Registers each handler of the spec with the types the spec gives it."])
        out.block("\(access)struct \(name)") {
            out.doc([
                "The fingerprint of the spec's types: the runtime refuses to serve a spec this code was not made from."
            ])
            out.line("\(access)static let specFingerprint = \(SwiftNames.literal(plan.fingerprint))")
            out.line()
            out.line("private let application: Zibri.ZibriApplication")
            out.line()
            out.block("init(_ application: Zibri.ZibriApplication)") {
                out.line("self.application = application")
                out.line(
                    "application.expectSpec(fingerprint: Self.specFingerprint, generatedFrom: \(SwiftNames.literal((specFile as NSString).lastPathComponent)))"
                )
            }
            for handler in plan.handlers {
                out.line()
                renderHandler(handler, out)
            }
            for name in plan.untypedHandlers {
                out.line()
                out.line("// '\(name)' is used by routes of different types: register it by name.")
            }
        }
    }

    private func renderHandler(_ handler: SwiftHandler, _ out: Lines) {
        out.doc(handler.doc)
        let method = "\(access)func \(SwiftNames.declared(handler.methodName))"
        let name = SwiftNames.literal(handler.specName)
        let location = [Parameter.plain("file: Swift.String = #fileID"), .plain("line: Swift.Int = #line")]
        switch handler.kind {
        case .http:
            let body = handler.body ?? "Zibri.NoBody"
            let response = handler.response ?? "Zibri.NoContent"
            let input = handler.input ?? "Zibri.HTTPInput<\(body)>"
            let closure = Parameter.handler("_ handler", [input, "Zibri.HTTPContext"], returning: response)
            out.function(method, location + [closure]) {
                guard let typed = handler.input else {
                    out.line("application.http.handle(\(name), file: file, line: line, handler)")
                    return
                }
                out.closure(
                    "application.http.handle(\(name), file: file, line: line)",
                    "(input: Zibri.HTTPInput<\(body)>, context) -> \(response)"
                ) {
                    out.line("try await handler(\(typed)(input), context)")
                }
            }
        case .websocket:
            let response = handler.response.map { $0.hasSuffix("?") ? $0 : $0 + "?" } ?? "Swift.Void"
            let parameters = (handler.body.map { [$0] } ?? []) + ["Zibri.WebSocketContext"]
            out.function(method, [.handler("_ handler", parameters, returning: response)]) {
                let call = handler.body == nil ? "handler(context)" : "handler(body, context)"
                let bodyType = handler.body ?? "ZibriSchema.JSONValue"
                let bodyName = handler.body == nil ? "_" : "body"
                let answer = handler.response == nil ? "ZibriSchema.JSONValue?" : response
                out.closure(
                    "application.websocket.handle(\(name))", "(\(bodyName): \(bodyType), context) -> \(answer)"
                ) {
                    out.line("try await \(call)")
                    if handler.response == nil { out.line("return nil") }
                }
            }
        case .connectPolicy:
            out.function(method, [.handler("_ policy", ["Zibri.Handshake"], returning: "Swift.Bool")]) {
                out.line("application.policies.isAllowedToConnect(\(name), policy)")
            }
        case .joinPolicy:
            let parameters = [
                "_ connection: Zibri.WebSocketConnection", "_ channel: Swift.String",
                "_ parameters: [Swift.String: Swift.String]",
            ]
            out.function(method, [.handler("_ policy", parameters, returning: "Swift.Bool")]) {
                out.line("application.policies.join(\(name), policy)")
            }
        case .onConnect:
            out.function(method, [.handler("_ handler", ["Zibri.WebSocketContext"], returning: "Swift.Void")]) {
                out.line("application.websocket.onConnect(\(name), handler)")
            }
        case .onDisconnect:
            let parameters = ["Zibri.WebSocketContext", "Zibri.DisconnectReason"]
            out.function(method, [.handler("_ handler", parameters, returning: "Swift.Void")]) {
                out.line("application.websocket.onDisconnect(\(name), handler)")
            }
        }
    }
}
