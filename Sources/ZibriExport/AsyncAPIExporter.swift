import Foundation
public import ZibriSchema

/// The WebSocket side of a spec as an AsyncAPI 3.0 document: the socket as one channel with
/// every message a client may send (the spec's routes, `ws:join`, `ws:leave`, `ws:ack`) and
/// every frame the server sends (`ws:connected`, `ws:refused`, `ws:response`, events), each
/// route as an operation the server receives with `ws:response` as its reply, the channel
/// patterns as channels with parameters, the models as schemas, and the handshake's token.
/// Nil when the spec has no `websocket` section.
public enum AsyncAPIExporter {
    public static func document(for resolved: ResolvedSpec) -> JSONValue? {
        let spec = resolved.spec
        guard let websocket = spec.websocket else { return nil }
        let models = resolved.models
        var messages: [String: JSONValue] = [:]
        var operations: [String: JSONValue] = [:]
        let socket: JSONValue = ["$ref": "#/channels/socket"]
        let usesToken = spec.auth != nil && (websocket.auth?.value ?? .none) != .none
        // The answer comes back on the same socket; the ack ties it to the message.
        let reply: JSONValue = [
            "channel": socket, "messages": [["$ref": "#/channels/socket/messages/ws_response"]],
            "address": [
                "description": "The same socket; the answer carries the message's ack.",
                "location": "$message.payload#/ack",
            ],
        ]
        let ackCorrelation: JSONValue = [
            "description": "A ws:response carries the ack of the message it answers.",
            "location": "$message.payload#/ack",
        ]

        func reference(_ key: String) -> JSONValue { ["$ref": .string("#/channels/socket/messages/\(key)")] }

        // What clients send: the spec's routes, each answered by `ws:response` when it has an ack.
        for route in websocket.routes {
            let key = identifier(route.event)
            var envelope: [String: JSONValue] = [
                "event": ["const": .string(route.event)],
                "ack": ["type": ["integer", "string"], "description": "Asks for a ws:response with this ack."],
            ]
            var required: [JSONValue] = ["event"]
            if let body = route.body {
                envelope["body"] = OpenAPIExporter.jsonSchema(body)
                if body.required && body.defaultValue == nil { required.append("body") }
            }
            var message: [String: JSONValue] = [
                "name": .string(route.event), "title": .string(route.event),
                "payload": [
                    "type": "object", "properties": .object(envelope), "required": .array(required),
                    "additionalProperties": false,
                ],
                "correlationId": ackCorrelation,
            ]
            if let description = route.description { message["description"] = .string(description) }
            messages[key] = .object(message)
            var operation: [String: JSONValue] = [
                "action": "receive", "channel": socket, "messages": [reference(key)],
                "summary": .string("A client sends '\(route.event)'; the server validates it and runs its handler."),
                "reply": reply,
            ]
            if usesToken { operation["security"] = [["$ref": "#/components/securitySchemes/token"]] }
            if let handler = route.handler?.value { operation["x-zibri-handler"] = .string(handler) }
            if let roles = route.roles?.value, !roles.isEmpty {
                operation["x-zibri-roles"] = .array(roles.map(JSONValue.string))
            }
            operations["receive_\(key)"] = .object(operation)
        }

        // The built-in client events.
        let channelName: JSONValue = [
            "type": "object", "properties": ["channel": ["type": "string"]],
            "required": ["channel"], "additionalProperties": false,
        ]
        for (event, summary) in [
            ("ws:join", "Joins a channel whose pattern has clientJoin: true (and whose join policy allows it)."),
            ("ws:leave", "Leaves a channel."),
        ] {
            let key = identifier(event)
            messages[key] = [
                "name": .string(event), "summary": .string(summary),
                "payload": envelope(event, body: channelName, ack: true),
            ]
            operations["receive_\(key)"] = [
                "action": "receive", "channel": socket, "messages": [reference(key)], "reply": reply,
            ]
        }
        messages["ws_ack"] = [
            "name": "ws:ack", "summary": "A client's answer to a server request (requestId).",
            "payload": [
                "type": "object",
                "properties": ["event": ["const": "ws:ack"], "requestId": ["type": "string"], "body": [:]],
                "required": ["event", "requestId"], "additionalProperties": false,
            ],
        ]
        operations["receive_ws_ack"] = ["action": "receive", "channel": socket, "messages": [reference("ws_ack")]]

        // What the server sends.
        messages["ws_connected"] = [
            "name": "ws:connected", "summary": "The first frame of an accepted connection.",
            "payload": [
                "type": "object", "required": ["event", "data"],
                "properties": [
                    "event": ["const": "ws:connected"],
                    "data": [
                        "type": "object",
                        "required": ["connectionId", "sessionToken", "recovered", "lastSeq", "epoch", "channels"],
                        "properties": [
                            "connectionId": ["type": "string"], "sessionToken": ["type": "string"],
                            "recovered": ["type": "boolean"], "lastSeq": ["type": "integer"],
                            "epoch": ["type": "string", "pattern": "^[0-9a-f]{16}$"],
                            "channels": [
                                "type": "array", "items": ["type": "string"],
                                "description":
                                    "The channels the connection is in: its session's and its user's durable ones.",
                            ],
                            "dropped": [
                                "type": "array", "items": ["type": "string"],
                                "description": "Durable channels whose join policy refused the user on this connect.",
                            ],
                            "replayed": ["type": "integer"],
                            "reason": [
                                "type": "string",
                                "enum": ["epoch", "expired", "unknown", "gap", "too_many", "disabled"],
                            ],
                        ],
                    ],
                ],
            ],
        ]
        messages["ws_refused"] = [
            "name": "ws:refused", "summary": "The only frame of a refused connection, before close code 4000 + status.",
            "payload": [
                "type": "object", "required": ["event", "ok", "status", "error"],
                "properties": [
                    "event": ["const": "ws:refused"], "ok": ["const": false], "status": ["type": "integer"],
                    "error": ["$ref": "#/components/schemas/Problem"],
                ],
            ],
        ]
        messages["ws_response"] = [
            "name": "ws:response", "summary": "The answer to a client message: its data, or a problem document.",
            "payload": [
                "type": "object", "required": ["event", "ok", "status"],
                "properties": [
                    "event": ["const": "ws:response"], "ack": ["type": ["integer", "string"]],
                    "ok": ["type": "boolean"],
                    "status": ["type": "integer"], "data": [:], "error": ["$ref": "#/components/schemas/Problem"],
                ],
            ],
        ]
        messages["event"] = [
            "name": "event",
            "summary": "An event a handler sends: to a connection, a user, a channel or everyone.",
            "payload": [
                "type": "object", "required": ["event", "ok", "status"],
                "properties": [
                    "event": ["type": "string"],
                    "seq": ["type": "integer", "description": "Its place in the log (absent when not logged)."],
                    "ok": ["const": true], "status": ["type": "integer"], "data": [:], "channel": ["type": "string"],
                    "senderUserId": ["type": "string"], "senderConnectionId": ["type": "string"],
                    "requestId": ["type": "string", "description": "Present when the server asks for a ws:ack."],
                ],
            ],
        ]
        for key in ["ws_connected", "ws_refused", "event"] {
            operations["send_\(key)"] = ["action": "send", "channel": socket, "messages": [reference(key)]]
        }

        var socketChannel: [String: JSONValue] = [
            "address": .string(websocket.path.value),
            "messages": .object(
                Dictionary(
                    uniqueKeysWithValues: messages.keys.map { ($0, ["$ref": .string("#/components/messages/\($0)")]) })
            ),
            "description": "The WebSocket. Every frame is a JSON text frame (docs/protocol.md).",
        ]
        socketChannel["title"] = "WebSocket"
        var channels: [String: JSONValue] = ["socket": .object(socketChannel)]
        // Channel patterns: the names events carry in `channel`, joined with ws:join.
        for definition in websocket.channels {
            var parameters: [String: JSONValue] = [:]
            for part in ChannelDefinition.parts(of: definition.pattern) ?? [] {
                if case .parameter(let name) = part { parameters[name] = [:] }
            }
            var channel: [String: JSONValue] = [
                "address": .string(definition.pattern),
                "description": .string(
                    (definition.description.map { $0 + " " } ?? "")
                        + "Events sent to this channel carry \"channel\": \"\(definition.pattern)\" and reach its members"
                        + (definition.clientJoin ? "; clients join with ws:join." : "; the server joins connections.")
                        + (definition.isDurable
                            ? " Durable: a user's membership holds on every connection of the user until the user leaves."
                            : "")),
                "messages": ["event": ["$ref": "#/components/messages/event"]],
            ]
            if !parameters.isEmpty { channel["parameters"] = .object(parameters) }
            channels[identifier(definition.pattern)] = .object(channel)
        }

        var schemas: [String: JSONValue] = ["Problem": OpenAPIExporter.problemSchema]
        for model in spec.models {
            guard let resolved = models[model.name] else { continue }
            var schema = OpenAPIExporter.objectSchema(resolved.properties, resolved.additionalProperties).object ?? [:]
            if let description = resolved.description { schema["description"] = .string(description) }
            schemas[model.name] = .object(schema)
        }
        var components: [String: JSONValue] = ["schemas": .object(schemas), "messages": .object(messages)]
        let server: [String: JSONValue] = [
            "host": .string("\(spec.server.host):\(spec.server.port)"), "protocol": "ws",
            "pathname": .string(websocket.path.value),
        ]
        if usesToken {
            components["securitySchemes"] = [
                "token": [
                    "type": "httpApiKey", "name": "access_token", "in": "query",
                    "description":
                        "A JWT, in the access_token query parameter or an Authorization: Bearer header of the upgrade.",
                ]
            ]
        }
        var info: [String: JSONValue] = ["title": .string(spec.info.title), "version": .string(spec.info.version)]
        if let description = spec.info.description { info["description"] = .string(description) }
        return [
            "asyncapi": "3.0.0", "info": .object(info), "defaultContentType": "application/json",
            "servers": ["zibri": .object(server)], "channels": .object(channels),
            "operations": .object(operations), "components": .object(components),
        ]
    }

    /// A client frame with `event`, an optional `ack` and `body`.
    static func envelope(_ event: String, body: JSONValue, ack: Bool) -> JSONValue {
        var properties: [String: JSONValue] = ["event": ["const": .string(event)], "body": body]
        if ack { properties["ack"] = ["type": ["integer", "string"]] }
        return [
            "type": "object", "properties": .object(properties), "required": ["event", "body"],
            "additionalProperties": false,
        ]
    }

    /// A key AsyncAPI accepts (letters, digits, `.`, `-`, `_`) for an event or pattern name.
    static func identifier(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" })
    }
}
