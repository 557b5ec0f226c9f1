/// What generated Swift types depend on, as 16 hex digits (64-bit FNV-1a): every model's name,
/// base and resolved properties (JSON names, types, enum members, optionality), and every
/// handler's kind, name and types. Descriptions, constraints, defaults, paths and formatting are
/// left out: editing them changes no type, so code generated before such an edit still fits.
///
/// The generator writes it into the code it makes, and the runtime compares it with the spec it
/// loads; it lives here so that a server checks it without linking the generator.
public enum SpecFingerprint {
    public static func of(_ resolved: ResolvedSpec) -> String {
        let spec = resolved.spec
        var lines: [String] = []
        for model in spec.models {
            guard let properties = resolved.models[model.name] else { continue }
            lines.append("model \(model.name) from \(model.derivation?.base.value ?? "-")")
            lines += properties.properties.map { "  " + describe($0) }
            lines.append("  extra " + describe(properties.additionalProperties))
        }
        for route in spec.http.routes {
            guard let handler = route.handler?.value else { continue }
            lines.append("http \(handler) \(describe(route.body)) \(describe(route.response))")
            lines += route.effectiveParams.map { "  param " + describe($0) }
            lines += route.query.map { "  query " + describe($0) }
        }
        if let websocket = spec.websocket {
            for route in websocket.routes {
                guard let handler = route.handler?.value else { continue }
                lines.append("websocket \(handler) \(describe(route.body)) \(describe(route.response))")
            }
            if let name = websocket.isAllowedToConnect?.value { lines.append("connect \(name)") }
            for name in websocket.channels.compactMap(\.join?.value) { lines.append("join \(name)") }
            if let name = websocket.onConnect?.value { lines.append("onConnect \(name)") }
            if let name = websocket.onDisconnect?.value { lines.append("onDisconnect \(name)") }
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in lines.joined(separator: "\n").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func describe(_ property: Property) -> String {
        "\(property.name): \(describe(property.schema))"
    }

    private static func describe(_ schema: PropertySchema?) -> String {
        guard let schema else { return "-" }
        var text = schema.type.description
        if let members = schema.enumValues { text += " enum(\(members.map(\.jsonText).joined(separator: ",")))" }
        if let items = schema.items?.value { text += " of(\(describe(items)))" }
        if let properties = schema.properties { text += " {\(properties.map(describe).joined(separator: ", "))}" }
        if let extra = schema.additionalProperties?.value { text += " extra(\(describe(extra)))" }
        if !schema.required { text += " optional" }
        if schema.nullable { text += " nullable" }
        return text
    }

    private static func describe(_ extra: AdditionalProperties) -> String {
        switch extra {
        case .forbidden: "forbidden"
        case .allowed: "allowed"
        case .schema(let schema): describe(schema)
        }
    }
}
