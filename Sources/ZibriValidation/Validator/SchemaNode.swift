import Foundation
import ZibriSchema

/// One compiled property schema: everything a check needs, precomputed.
///
/// Built once by `SchemaCompiler` and never mutated after `SchemaCompiler.finish()`; the
/// mutable fields exist only so that recursive models can point at each other while being
/// built, which is why the class is `@unchecked Sendable`.
final class SchemaNode: @unchecked Sendable {
    enum Kind {
        case string, integer, number, boolean, date, array, object, any
        /// A model used as a type: `target` is the model's object node.
        case reference
    }

    enum Additional {
        case forbidden
        case allowed
        case schema(SchemaNode)
    }

    struct PropertyNode {
        let name: String
        let node: SchemaNode
        let required: Bool
    }

    var kind: Kind = .any
    /// "a string", "an object (User)": for type messages.
    var typeDescription = "any value"
    var nullable = false
    var defaultValue: JSONValue?
    var enumValues: [JSONValue]?
    var enumSet: Set<JSONValue>?
    var constValue: JSONValue?

    var minLength: Int?
    var maxLength: Int?
    var pattern: ECMAPattern?
    var format: StringFormat?

    var minimum: Bound?
    var maximum: Bound?
    var exclusiveMinimum: Bound?
    var exclusiveMaximum: Bound?
    var multipleOf: Decimal?
    /// `multipleOf` when it is a whole number: integers are then checked with `%`.
    var integerMultipleOf: Int?

    var after: (date: Date, text: String)?
    var before: (date: Date, text: String)?

    var items: SchemaNode?
    var minItems: Int?
    var maxItems: Int?
    var uniqueItems = false

    var properties: [PropertyNode] = []
    var propertyIndex: [String: Int] = [:]
    var additional: Additional = .allowed

    /// Not retained: model references make cycles (a recursive model points at itself), and
    /// retained cycles would leak every compiled spec. The `SchemaGraph` owns every node and
    /// outlives every use, because each `Validator` holds its graph.
    unowned(unsafe) var target: SchemaNode?
    /// Whether checking may change the value (fill a default, turn a string into a date), so
    /// unchanged subtrees are returned as they came, without copying.
    var normalizes = false

    /// A numeric bound: a double to compare and the spec's text for messages.
    struct Bound {
        let value: Double
        let text: String

        init(_ decimal: Decimal) {
            self.value = NSDecimalNumber(decimal: decimal).doubleValue
            self.text = "\(decimal)"
        }
    }
}
