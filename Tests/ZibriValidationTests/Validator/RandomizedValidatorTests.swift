import Testing
import ZibriSchema
import ZibriTesting
import ZibriValidation

/// Generated valid documents must pass; each single mutation of one must fail, with every
/// problem pointing at the mutated value.
@Suite struct RandomizedValidatorTests {
    static let models = """
          Author:
            properties:
              name: { type: string, minLength: 1, maxLength: 10 }
              email: { type: string, format: email }
          Post:
            properties:
              title: { type: string, minLength: 1, maxLength: 20, pattern: "^[a-z ]+$" }
              count: { type: integer, minimum: 0, maximum: 100 }
              ratio: { type: number, exclusiveMinimum: 0, maximum: 1 }
              tags: { type: array, items: { type: string, maxLength: 5 }, maxItems: 4, uniqueItems: true }
              status: { type: string, enum: [draft, live] }
              author: { type: Author }
              published: { type: boolean }
              at: { type: date }

        """

    static func word(_ length: Int, _ g: inout SeededGenerator) -> String {
        String((0..<length).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement(using: &g)! })
    }

    static func validPost(_ g: inout SeededGenerator) -> [String: JSONValue] {
        let tagCount = Int.random(in: 0...3, using: &g)
        let tags = Array(["a", "bb", "ccc", "dddd", "eeeee"].shuffled(using: &g).prefix(tagCount))
        return [
            "title": .string(word(Int.random(in: 1...10, using: &g), &g)),
            "count": .integer(Int.random(in: 0...100, using: &g)),
            "ratio": .number(Double(Int.random(in: 1...100, using: &g)) / 100),
            "tags": .array(tags.map(JSONValue.string)),
            "status": .string(Bool.random(using: &g) ? "draft" : "live"),
            "author": ["name": .string(word(Int.random(in: 1...10, using: &g), &g)), "email": "someone@example.com"],
            "published": .bool(Bool.random(using: &g)),
            "at": .string("2024-0\(Int.random(in: 1...9, using: &g))-1\(Int.random(in: 0...9, using: &g))T12:00:00Z"),
        ]
    }

    /// One mutation: the changed document and the pointer the problem must have.
    static func mutate(_ post: [String: JSONValue], _ g: inout SeededGenerator) -> ([String: JSONValue], String) {
        var post = post
        var author = post["author"]!.object!
        let tags = post["tags"]!.array!
        switch Int.random(in: 0..<16, using: &g) {
        case 0: post["title"] = ""; return (post, "/title")
        case 1: post["title"] = .string(String(repeating: "a", count: 21)); return (post, "/title")
        case 2: post["title"] = "Has Capitals"; return (post, "/title")
        case 3: post["count"] = [-1, 101, 1.5, "3"].randomElement(using: &g)!; return (post, "/count")
        case 4: post["ratio"] = [0, 1.5, "x", nil].randomElement(using: &g)!; return (post, "/ratio")
        case 5:
            guard let first = tags.first else { fallthrough }
            post["tags"] = .array(tags + [first])
            return (post, "/tags/\(tags.count)")
        case 6: post["tags"] = ["v", "w", "x", "y", "z"]; return (post, "/tags")
        case 7: post["tags"] = .array(tags + ["toolong"]); return (post, "/tags/\(tags.count)")
        case 8: post["status"] = "gone"; return (post, "/status")
        case 9: author["name"] = ""; post["author"] = .object(author); return (post, "/author/name")
        case 10: author["email"] = "nope"; post["author"] = .object(author); return (post, "/author/email")
        case 11: author.removeValue(forKey: "name"); post["author"] = .object(author); return (post, "/author/name")
        case 12: author["x/y"] = 1; post["author"] = .object(author); return (post, "/author/x~1y")
        case 13: post["published"] = "true"; return (post, "/published")
        case 14: post["at"] = "2024-13-01"; return (post, "/at")
        default: post.removeValue(forKey: "title"); return (post, "/title")
        }
    }

    @Test func validDocumentsPassAndSingleMutationsFailAtTheirPointer() throws {
        let validator = try makeValidator("Post", models: Self.models)
        var generator = SeededGenerator(seed: 42)
        for round in 0..<1000 {
            let post = Self.validPost(&generator)
            #expect((try? validator.validate(.object(post))) != nil, "round \(round): a valid post failed")
            let (mutated, pointer) = Self.mutate(post, &generator)
            do {
                _ = try validator.validate(.object(mutated))
                Issue.record("round \(round): the mutation at \(pointer) passed")
            } catch {
                #expect(!error.problems.isEmpty)
                #expect(error.problems.allSatisfy { $0.pointer == pointer }, "round \(round): \(error) for \(pointer)")
            }
        }
    }
}
