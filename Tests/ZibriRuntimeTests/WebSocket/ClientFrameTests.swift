import Testing
import Zibri
import ZibriSchema

@testable import ZibriRuntime

@Suite struct ClientFrameTests {
    func parse(_ text: String) throws(ClientFrame.Rejection) -> ClientFrame {
        try ClientFrame.parse(Array(text.utf8))
    }

    @Test func readsEventBodyAndAck() throws {
        #expect(
            try parse(#"{"event": "chat message", "body": {"m": 1}, "ack": 7}"#)
                == ClientFrame(event: "chat message", body: ["m": 1], ack: .integer(7), requestId: nil))
        #expect(try parse(#"{"event": "x"}"#) == ClientFrame(event: "x", body: nil, ack: nil, requestId: nil))
        #expect(try parse(#"{"event": "x", "ack": "a-1"}"#).ack == .string("a-1"))
        #expect(
            try parse(#"{"event": "ws:ack", "requestId": "r1", "body": true}"#)
                == ClientFrame(event: "ws:ack", body: true, ack: nil, requestId: "r1"))
    }

    @Test(arguments: [
        (#"{"#, "the frame is not valid JSON: expected a key at byte 1", false),
        (#"[1]"#, "a frame must be a JSON object with an 'event'", false),
        (#"{"body": 1, "ack": 3}"#, "'event' must be a non-empty string", true),
        (#"{"event": 5}"#, "'event' must be a non-empty string", false),
        (#"{"event": "", "ack": 3}"#, "'event' must be a non-empty string", true),
        (
            #"{"event": "x", "ack": 3, "extra": 1}"#, "unknown top-level key 'extra'; a frame has event, body and ack",
            true
        ),
        (#"{"event": "x", "ack": [1]}"#, "'ack' must be an integer or a string", false),
        (#"{"event": "x", "requestId": "r", "ack": 3}"#, "'requestId' belongs only to ws:ack frames", true),
        (#"{"event": "ws:ack"}"#, "a ws:ack frame needs the 'requestId' it answers", false),
    ])
    func framesThatBreakTheProtocolAreRejectedWithTheAckIfReadable(_ text: String, _ detail: String, _ hasAck: Bool) {
        do {
            _ = try parse(text)
            Issue.record("expected a rejection")
        } catch {
            #expect(error.detail == detail)
            #expect((error.ack != nil) == hasAck)
        }
    }

    @Test func serverFramesHaveTheFixedKeys() {
        #expect(
            ServerFrame.event(
                "chat message", data: ["m": 1], seq: 42, channel: "room:1",
                senderUserId: "u1", senderConnectionId: "c9"
            )
            .jsonText
                == #"{"channel":"room:1","data":{"m":1},"event":"chat message","ok":true,"senderConnectionId":"c9","senderUserId":"u1","seq":42,"status":200}"#
        )
        #expect(
            ServerFrame.success(ack: .integer(7), data: nil).jsonText
                == #"{"ack":7,"data":null,"event":"ws:response","ok":true,"status":200}"#)
        #expect(
            ServerFrame.connected(
                connectionId: "c1", sessionToken: "t", recovered: false, lastSeq: 41, epoch: "00000000000000ab"
            ).jsonText
                == #"{"data":{"channels":[],"connectionId":"c1","epoch":"00000000000000ab","lastSeq":41,"recovered":false,"sessionToken":"t"},"event":"ws:connected"}"#
        )
        #expect(
            ServerFrame.connected(
                connectionId: "c1", sessionToken: "t", recovered: true, lastSeq: 41, epoch: "00000000000000ab",
                channels: ["room:1", "room:2"], dropped: ["room:3"], replayed: 0
            ).jsonText
                == #"{"data":{"channels":["room:1","room:2"],"connectionId":"c1","dropped":["room:3"],"epoch":"00000000000000ab","lastSeq":41,"recovered":true,"replayed":0,"sessionToken":"t"},"event":"ws:connected"}"#
        )
    }
}
