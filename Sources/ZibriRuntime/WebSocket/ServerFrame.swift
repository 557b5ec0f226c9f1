import ZibriSchema
import ZibriValidation

/// The frames the server sends, built as JSON values (docs/protocol.md fixes their keys).
enum ServerFrame {
    /// An event: to one connection, a user, a channel or all.
    static func event(
        _ name: String, data: JSONValue, seq: Int? = nil, channel: String? = nil, senderUserId: String? = nil,
        senderConnectionId: String? = nil
    ) -> JSONValue {
        var members: [String: JSONValue] = ["event": .string(name), "ok": true, "status": 200, "data": data]
        if let seq { members["seq"] = .integer(seq) }
        if let channel { members["channel"] = .string(channel) }
        if let senderConnectionId { members["senderConnectionId"] = .string(senderConnectionId) }
        if let senderUserId { members["senderUserId"] = .string(senderUserId) }
        return .object(members)
    }

    /// The server asking the client: answered by `{"event": "ws:ack", "requestId": …, "body": …}`.
    static func request(_ name: String, requestId: String, data: JSONValue) -> JSONValue {
        ["event": .string(name), "requestId": .string(requestId), "ok": true, "status": 200, "data": data]
    }

    /// The answer to a client message that succeeded (only sent when it carried an `ack`).
    static func success(ack: Ack, data: JSONValue) -> JSONValue {
        ["event": "ws:response", "ack": ack.json, "ok": true, "status": 200, "data": data]
    }

    /// The success answer with data already encoded as JSON: the same keys and order as
    /// `success(ack:data:).jsonText`, without building a JSON value.
    static func success(ack: Ack, encoded data: [UInt8]) -> String {
        var text = #"{"ack":"#
        text += ack.json.jsonText
        text += #","data":"#
        text += String(decoding: data, as: UTF8.self)
        text += #","event":"ws:response","ok":true,"status":200}"#
        return text
    }

    /// The answer to a client message that failed; without `ack` when the message had none.
    static func failure(ack: Ack?, problem: ProblemDocument) -> JSONValue {
        var members: [String: JSONValue] = [
            "event": "ws:response", "ok": false, "status": .integer(problem.status), "error": problem.json,
        ]
        if let ack { members["ack"] = ack.json }
        return .object(members)
    }

    /// The first frame of a connection: the channels it is in, those whose membership a
    /// re-check ended (`dropped`), `replayed` when it recovered its session, `reason` when it
    /// asked to and could not.
    static func connected(
        connectionId: String, sessionToken: String, recovered: Bool, lastSeq: Int, epoch: String,
        channels: [String] = [], dropped: [String] = [], replayed: Int? = nil, reason: String? = nil
    ) -> JSONValue {
        var data: [String: JSONValue] = [
            "connectionId": .string(connectionId), "sessionToken": .string(sessionToken),
            "recovered": .bool(recovered), "lastSeq": .integer(lastSeq), "epoch": .string(epoch),
            "channels": .array(channels.map(JSONValue.string)),
        ]
        if !dropped.isEmpty { data["dropped"] = .array(dropped.map(JSONValue.string)) }
        if let replayed { data["replayed"] = .integer(replayed) }
        if let reason { data["reason"] = .string(reason) }
        return ["event": "ws:connected", "data": .object(data)]
    }

    /// The only frame of a refused connection, before the close with code 4000 + status.
    static func refused(_ problem: ProblemDocument) -> JSONValue {
        ["event": "ws:refused", "ok": false, "status": .integer(problem.status), "error": problem.json]
    }
}
