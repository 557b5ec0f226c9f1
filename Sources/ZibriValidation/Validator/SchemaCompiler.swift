import Foundation
import ZibriSchema

/// Builds `SchemaNode`s from property schemas and resolved models. Model nodes are shared, so
/// recursive models become cyclic graphs instead of infinite trees.
struct SchemaCompiler {
    let models: [String: ResolvedModel]
    /// Holds the nodes; whatever keeps a node for later use keeps this too.
    let graph = SchemaGraph()
    private(set) var modelNodes: [String: SchemaNode] = [:]
    /// Patterns that did not compile, for the compile stage's diagnostics.
    private(set) var patternErrors: [(schema: PropertySchema, message: String)] = []

    init(models: [String: ResolvedModel]) {
        self.models = models
    }

    mutating func node(for schema: PropertySchema) -> SchemaNode {
        let node = SchemaNode()
        graph.adopt(node)
        node.nullable = schema.nullable
        node.enumValues = schema.enumValues
        if let members = schema.enumValues, members.count > 8 { node.enumSet = Set(members) }
        node.constValue = schema.constValue
        switch schema.type {
        case .string:
            node.kind = .string
            node.typeDescription = "a string"
            node.minLength = schema.minLength
            node.maxLength = schema.maxLength
            node.format = schema.format.flatMap(StringFormat.init(rawValue:))
            if let source = schema.pattern {
                do {
                    node.pattern = try ECMAPattern(source)
                } catch {
                    patternErrors.append((schema, "\(error)"))
                }
            }
        case .integer, .number:
            node.kind = schema.type == .integer ? .integer : .number
            node.typeDescription = schema.type == .integer ? "an integer" : "a number"
            node.minimum = schema.minimum.map(SchemaNode.Bound.init)
            node.maximum = schema.maximum.map(SchemaNode.Bound.init)
            node.exclusiveMinimum = schema.exclusiveMinimum.map(SchemaNode.Bound.init)
            node.exclusiveMaximum = schema.exclusiveMaximum.map(SchemaNode.Bound.init)
            if let divisor = schema.multipleOf {
                node.multipleOf = divisor
                if divisor.isWholeNumber, let whole = Int(exactly: NSDecimalNumber(decimal: divisor).int64Value),
                    Decimal(whole) == divisor
                {
                    node.integerMultipleOf = whole
                }
            }
        case .boolean:
            node.kind = .boolean
            node.typeDescription = "a boolean"
        case .date:
            node.kind = .date
            node.typeDescription = "an ISO 8601 date or date-time"
            node.normalizes = true
            if let text = schema.after, let date = ISO8601.parse(text) { node.after = (date, text) }
            if let text = schema.before, let date = ISO8601.parse(text) { node.before = (date, text) }
        case .array:
            node.kind = .array
            node.typeDescription = "an array"
            node.items = schema.items.map { self.node(for: $0.value) }
            node.minItems = schema.minItems
            node.maxItems = schema.maxItems
            node.uniqueItems = schema.uniqueItems
        case .object:
            node.kind = .object
            node.typeDescription = "an object"
            fillObject(
                node, properties: schema.properties ?? [],
                additional: schema.additionalProperties?.value ?? (schema.properties == nil ? .allowed : .forbidden))
        case .any:
            node.kind = .any
        case .model(let name):
            node.kind = .reference
            node.typeDescription = "an object (\(name))"
            node.target = modelNode(name)
        }
        if let value = schema.defaultValue {
            // Defaults are normalized like input (a date default becomes a date).
            var context = CheckContext(maxProblems: 1, maxDepth: 64)
            var normalized = value
            Checker.check(&normalized, node, &context, depth: 0)
            node.defaultValue = normalized
        }
        return node
    }

    /// The shared object node of a model; created before its properties so cycles resolve.
    mutating func modelNode(_ name: String) -> SchemaNode? {
        if let existing = modelNodes[name] { return existing }
        guard let model = models[name] else { return nil }
        let node = SchemaNode()
        graph.adopt(node)
        node.kind = .object
        node.typeDescription = "an object (\(name))"
        modelNodes[name] = node
        fillObject(node, properties: model.properties, additional: model.additionalProperties)
        return node
    }

    private mutating func fillObject(_ node: SchemaNode, properties: [Property], additional: AdditionalProperties) {
        for property in properties where node.propertyIndex[property.name] == nil {
            node.propertyIndex[property.name] = node.properties.count
            node.properties.append(
                SchemaNode.PropertyNode(
                    name: property.name, node: self.node(for: property.schema), required: property.schema.required))
        }
        switch additional {
        case .forbidden: node.additional = .forbidden
        case .allowed: node.additional = .allowed
        case .schema(let schema): node.additional = .schema(self.node(for: schema))
        }
    }

    /// Computes `normalizes` over the whole graph (a fixpoint, because models may recurse).
    mutating func finish() {
        var changed = true
        while changed {
            changed = false
            for node in graph.nodes where !node.normalizes {
                var normalizes = node.properties.contains { $0.node.normalizes || $0.node.defaultValue != nil }
                normalizes = normalizes || node.items?.normalizes == true || node.target?.normalizes == true
                if case .schema(let extra) = node.additional, extra.normalizes { normalizes = true }
                if normalizes {
                    node.normalizes = true
                    changed = true
                }
            }
        }
    }
}

extension Decimal {
    fileprivate var isWholeNumber: Bool {
        var value = self
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 0, .plain)
        return rounded == self
    }
}
