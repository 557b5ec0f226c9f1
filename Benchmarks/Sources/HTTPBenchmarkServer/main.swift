import Foundation
import Hummingbird
import Logging
import Zibri
import ZibriSchema

// One validated POST route, served either by Zibri from a spec or by hand on plain
// Hummingbird with Codable (the baseline). Usage: HTTPBenchmarkServer zibri|baseline PORT

struct User: Codable, Sendable {
    var id: String
    var name: String
    var email: String
    var role: String
    var createdAt: Date
}

struct ChatMessage: Codable, Sendable {
    var message: String
    var replyTo: Int?
    var tags: [String]
    var mood: String?
    var author: User?
}

let spec = """
    zibri: "1"
    info: { title: Bench, version: "1" }
    storage: memory
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
    http:
      routes:
        POST /messages: { handler: postMessage, body: ChatMessage, response: ChatMessage, status: 201 }
    """

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[2]) else {
    print("usage: HTTPBenchmarkServer zibri|baseline PORT")
    exit(2)
}
var logger = Logger(label: "bench")
logger.logLevel = .error

switch arguments[1] {
case "zibri":
    let app = try ZibriApplication(yaml: spec, environment: ["ZIBRI_PORT": "\(port)"], logger: logger)
    app.validateResponses = false
    app.http.handle("postMessage") { (input: HTTPInput<ChatMessage>, _) -> ChatMessage in input.body }
    try await app.run()
case "baseline":
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = ISO8601.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date"))
        }
        return date
    }
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(ISO8601.format(date))
    }
    let router = Router()
    router.post("/messages") { request, context -> Response in
        let buffer = try await request.body.collect(upTo: 1_048_576)
        let message = try decoder.decode(ChatMessage.self, from: Data(buffer.readableBytesView))
        let body = try encoder.encode(message)
        return Response(
            status: .created, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: body)))
    }
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    try await app.runService()
default:
    print("usage: HTTPBenchmarkServer zibri|baseline PORT")
    exit(2)
}
