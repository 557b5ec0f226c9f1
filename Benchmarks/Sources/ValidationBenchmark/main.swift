import Benchmark
import Foundation
import ZibriSchema
import ZibriValidation

// Validate-and-decode with Zibri against plain JSONDecoder decoding of the same bytes into the
// same structs. Both decode dates with the same ISO 8601 parser, so only the work differs.
// And encoding the same structs back, as the runtime encodes answers, against JSONEncoder with
// the same date encoding.

struct User: Codable {
    var id: String
    var name: String
    var email: String
    var role: String
    var createdAt: Date
}

struct ChatMessage: Codable {
    var message: String
    var replyTo: Int?
    var tags: [String]
    var mood: String?
    var author: User?
}

struct Conversation: Codable {
    var title: String
    var messages: [ChatMessage]
}

let spec = """
    zibri: "1"
    info: { title: Bench, version: "1" }
    models:
      User:
        properties:
          id: { type: string, format: uuid }
          name: { type: string, minLength: 1, maxLength: 40, pattern: "^[A-Za-z0-9 _-]+$" }
          email: { type: string, format: email }
          role: { type: string, enum: [admin, member], default: member }
          createdAt: { type: date }
      ChatMessage:
        properties:
          message: { type: string, minLength: 1, maxLength: 2000 }
          replyTo: { type: integer, minimum: 1, required: false }
          tags: { type: array, items: { type: string, maxLength: 20 }, maxItems: 5, uniqueItems: true, default: [] }
          mood: { type: string, enum: [happy, sad], nullable: true, required: false }
          author: { type: User, required: false }
      Conversation:
        properties:
          title: { type: string, maxLength: 200 }
          messages: { type: array, items: { type: ChatMessage } }
    """

func message(_ index: Int) -> String {
    """
    {"message": "Hello there, this is message number \(index) of the chat", "replyTo": \(index + 1), \
    "tags": ["greeting", "t\(index % 7)"], "mood": "happy", "author": {"id": "6f1c2a56-2d3b-4c1e-9f00-\
    \(String(format: "%012d", index))", "name": "User \(index % 100)", "email": "user\(index % 100)@example.com", \
    "role": "member", "createdAt": "2024-05-01T10:00:00Z"}}
    """
}

func conversation(_ count: Int) -> String {
    "{\"title\": \"A conversation\", \"messages\": [" + (0..<count).map(message).joined(separator: ", ") + "]}"
}

let checked = SpecChecker.check(yaml: spec)
precondition(!checked.diagnostics.hasErrors, "\(checked.diagnostics)")
let compiled = checked.compiled!
let messageValidator = compiled.validator(forModel: "ChatMessage")!
let conversationValidator = compiled.validator(forModel: "Conversation")!

let small = Array(message(1).utf8)
let medium = Array(conversation(18).utf8)
let large = Array(conversation(3_600).utf8)
print("payloads: small \(small.count) bytes, medium \(medium.count) bytes, large \(large.count) bytes")

let jsonDecoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = ISO8601.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date"))
        }
        return date
    }
    return decoder
}()

// Check once that both paths accept the inputs.
_ = try! messageValidator.decode(ChatMessage.self, fromJSON: small)
_ = try! conversationValidator.decode(Conversation.self, fromJSON: large)
_ = try! jsonDecoder.decode(Conversation.self, from: Data(large))

/// Keeps the optimizer from dropping a result.
@inline(never) func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

let smallData = Data(small)
let mediumData = Data(medium)
let largeData = Data(large)

benchmark("small  (b) JSONDecoder, no validation") {
    blackHole(try jsonDecoder.decode(ChatMessage.self, from: smallData))
}
benchmark("small  (a) Zibri validate + decode") {
    blackHole(try messageValidator.decode(ChatMessage.self, fromJSON: small))
}
benchmark("medium (b) JSONDecoder, no validation") {
    blackHole(try jsonDecoder.decode(Conversation.self, from: mediumData))
}
benchmark("medium (a) Zibri validate + decode") {
    blackHole(try conversationValidator.decode(Conversation.self, fromJSON: medium))
}
benchmark("large  (b) JSONDecoder, no validation") {
    blackHole(try jsonDecoder.decode(Conversation.self, from: largeData))
}
benchmark("large  (a) Zibri validate + decode") {
    blackHole(try conversationValidator.decode(Conversation.self, fromJSON: large))
}

let jsonEncoder = StreamingJSONEncoder.makeFoundationEncoder()
let smallValue = try! jsonDecoder.decode(ChatMessage.self, from: smallData)
let mediumValue = try! jsonDecoder.decode(Conversation.self, from: mediumData)
let largeValue = try! jsonDecoder.decode(Conversation.self, from: largeData)
let streamingEncoder = StreamingJSONEncoder()

benchmark("small  (d) JSONEncoder") {
    blackHole(try jsonEncoder.encode(smallValue))
}
benchmark("small  (c) Zibri StreamingJSONEncoder") {
    blackHole(try streamingEncoder.encode(smallValue))
}
benchmark("medium (d) JSONEncoder") {
    blackHole(try jsonEncoder.encode(mediumValue))
}
benchmark("medium (c) Zibri StreamingJSONEncoder") {
    blackHole(try streamingEncoder.encode(mediumValue))
}
benchmark("large  (d) JSONEncoder") {
    blackHole(try jsonEncoder.encode(largeValue))
}
benchmark("large  (c) Zibri StreamingJSONEncoder") {
    blackHole(try streamingEncoder.encode(largeValue))
}

Benchmark.main()
