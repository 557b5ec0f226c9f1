import Foundation
import Testing
import ZibriSchema
import ZibriValidation

/// A validator decodes the developer's type from the value it normalized.
@Suite struct ValidatorDecodeTests {
    struct Author: Decodable, Equatable {
        var name: String
        var joined: Date
    }

    struct Message: Decodable, Equatable {
        enum Mood: String, Decodable { case happy, sad }
        var message: String
        var replyTo: Int?
        var tags: [String]
        var mood: Mood?
        var score: Double
        var author: Author
        var extra: JSONValue?
    }

    static let models = """
          Author:
            properties:
              name: { type: string }
              joined: { type: date }
          Message:
            properties:
              message: { type: string, minLength: 1 }
              replyTo: { type: integer, required: false }
              tags: { type: array, items: { type: string }, default: [] }
              mood: { type: string, enum: [happy, sad], nullable: true, required: false }
              score: { type: number, default: 0 }
              author: { type: Author }
              extra: { type: any, required: false }

        """

    @Test func decodesTheNormalizedValueIntoTheDevelopersType() throws {
        let v = try makeValidator("Message", models: Self.models)
        let json =
            #"{"message": "hi", "mood": null, "author": {"name": "Ann", "joined": "2024-05-01"}, "extra": {"k": [1]}}"#
        let message = try v.decode(Message.self, fromJSON: Array(json.utf8))
        #expect(
            message
                == Message(
                    message: "hi", replyTo: nil, tags: [], mood: nil, score: 0,
                    author: Author(name: "Ann", joined: Date(timeIntervalSince1970: 1_714_521_600)), extra: ["k": [1]]))
    }

    @Test func invalidInputThrowsTheValidationFailureNotADecodingError() throws {
        let v = try makeValidator("Message", models: Self.models)
        #expect(throws: ValidationFailure.self) {
            try v.decode(Message.self, fromJSON: Array(#"{"message": ""}"#.utf8))
        }
    }

    @Test func aTypeThatDoesNotFitTheSpecIsADecodingError() throws {
        struct Wrong: Decodable { var message: Int }
        let v = try makeValidator("Message", models: Self.models)
        let json = #"{"message": "hi", "author": {"name": "Ann", "joined": "2024-05-01"}}"#
        #expect(throws: DecodingError.self) { try v.decode(Wrong.self, fromJSON: Array(json.utf8)) }
    }
}
