import Foundation
public import ZibriSchema

/// The HTTP side of a spec as an OpenAPI 3.1 document: every route, parameter and model with
/// its constraints, the problem responses, and the bearer security scheme.
public enum OpenAPIExporter {
    public static func document(for resolved: ResolvedSpec) -> JSONValue {
        let spec = resolved.spec
        let models = resolved.models
        var paths: [String: JSONValue] = [:]
        var usesAuth = false
        for route in spec.http.routes {
            let path = (spec.http.basePath?.value ?? "") + route.path
            var operation: [String: JSONValue] = [:]
            if let handler = route.handler?.value { operation["operationId"] = .string(handler) }
            if let summary = route.summary { operation["summary"] = .string(summary) }
            if let description = route.description { operation["description"] = .string(description) }
            var parameters: [JSONValue] = []
            for name in route.pathParameterNames {
                let schema =
                    route.params.first { $0.name == name }?.schema
                    ?? PropertySchema(type: .string, location: route.location)
                parameters.append(["name": .string(name), "in": "path", "required": true, "schema": jsonSchema(schema)])
            }
            for (location, properties) in [("query", route.query), ("header", route.headers)] {
                for property in properties {
                    var parameter: [String: JSONValue] = [
                        "name": .string(property.name), "in": .string(location),
                        "required": .bool(property.schema.required && property.schema.defaultValue == nil),
                        "schema": jsonSchema(property.schema),
                    ]
                    if location == "query", property.schema.type == .array {
                        parameter["style"] = "form"
                        parameter["explode"] = true
                    }
                    if let description = property.schema.description { parameter["description"] = .string(description) }
                    parameters.append(.object(parameter))
                }
            }
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if let body = route.body {
                operation["requestBody"] = [
                    "required": true, "content": ["application/json": ["schema": jsonSchema(body)]],
                ]
            }
            let status = route.status?.value ?? (route.response == nil ? 204 : 200)
            var responses: [String: JSONValue] = [:]
            if let response = route.response {
                responses["\(status)"] = [
                    "description": "Success", "content": ["application/json": ["schema": jsonSchema(response)]],
                ]
            } else {
                responses["\(status)"] = ["description": "Success, no content"]
            }
            var problems = ["400", "404", "500"]
            if route.body != nil { problems += ["413", "415"] }
            let auth = route.auth?.value ?? .none
            let roles = route.roles?.value ?? []
            if auth != .none || !roles.isEmpty {
                usesAuth = true
                problems.append("401")
                operation["security"] = auth == .optional && roles.isEmpty ? [[:], ["bearer": []]] : [["bearer": []]]
            }
            if !roles.isEmpty {
                problems.append("403")
                operation["x-zibri-roles"] = .array(roles.map(JSONValue.string))
            }
            for code in problems {
                responses[code] = ["$ref": .string("#/components/responses/Problem\(code)")]
            }
            operation["responses"] = .object(responses)
            var item = paths[path]?.object ?? [:]
            item[route.method.lowercased()] = .object(operation)
            paths[path] = .object(item)
        }
        var schemas: [String: JSONValue] = ["Problem": problemSchema]
        for model in spec.models {
            guard let resolved = models[model.name] else { continue }
            var schema = objectSchema(resolved.properties, resolved.additionalProperties).object ?? [:]
            if let description = resolved.description { schema["description"] = .string(description) }
            schemas[model.name] = .object(schema)
        }
        var problemResponses: [String: JSONValue] = [:]
        let titles = [
            "400": "The request is invalid: malformed JSON or values that break the spec",
            "401": "No valid bearer token", "403": "The user lacks a required role", "404": "No such route",
            "413": "The body is too large", "415": "The body is not JSON", "500": "The server failed",
        ]
        for (code, description) in titles {
            problemResponses["Problem\(code)"] = [
                "description": .string(description),
                "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]],
            ]
        }
        var components: [String: JSONValue] = ["schemas": .object(schemas), "responses": .object(problemResponses)]
        if usesAuth || spec.auth != nil {
            components["securitySchemes"] = ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]]
        }
        var info: [String: JSONValue] = ["title": .string(spec.info.title), "version": .string(spec.info.version)]
        if let description = spec.info.description { info["description"] = .string(description) }
        return [
            "openapi": "3.1.0", "info": .object(info), "paths": .object(paths), "components": .object(components),
        ]
    }

    static let problemSchema: JSONValue = [
        "type": "object",
        "description": "An RFC 9457 problem document",
        "required": ["type", "title", "status"],
        "properties": [
            "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"],
            "detail": ["type": "string"],
            "errors": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["pointer", "code", "detail"],
                    "properties": [
                        "pointer": ["type": "string"], "code": ["type": "string"], "detail": ["type": "string"],
                    ],
                ],
            ],
        ],
    ]

    static func number(_ value: Decimal) -> JSONValue {
        let double = NSDecimalNumber(decimal: value).doubleValue
        if let whole = Int(exactly: double) { return .integer(whole) }
        return .number(double)
    }

    static func objectSchema(_ properties: [Property], _ additional: AdditionalProperties) -> JSONValue {
        var members: [String: JSONValue] = [:]
        var required: [JSONValue] = []
        for property in properties {
            members[property.name] = jsonSchema(property.schema)
            if property.schema.required && property.schema.defaultValue == nil {
                required.append(.string(property.name))
            }
        }
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(members)]
        if !required.isEmpty { schema["required"] = .array(required) }
        switch additional {
        case .forbidden: schema["additionalProperties"] = false
        case .allowed: break
        case .schema(let extra): schema["additionalProperties"] = jsonSchema(extra)
        }
        return .object(schema)
    }

    /// A property schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1.
    public static func jsonSchema(_ schema: PropertySchema) -> JSONValue {
        var result: [String: JSONValue] = [:]
        var notes: [String] = []
        switch schema.type {
        case .string:
            result["type"] = "string"
            if let value = schema.minLength { result["minLength"] = .integer(value) }
            if let value = schema.maxLength { result["maxLength"] = .integer(value) }
            if let value = schema.pattern { result["pattern"] = .string(value) }
            if let value = schema.format { result["format"] = .string(value) }
        case .integer, .number:
            result["type"] = .string(schema.type == .integer ? "integer" : "number")
            if let value = schema.minimum { result["minimum"] = number(value) }
            if let value = schema.maximum { result["maximum"] = number(value) }
            if let value = schema.exclusiveMinimum { result["exclusiveMinimum"] = number(value) }
            if let value = schema.exclusiveMaximum { result["exclusiveMaximum"] = number(value) }
            if let value = schema.multipleOf { result["multipleOf"] = number(value) }
        case .boolean:
            result["type"] = "boolean"
        case .date:
            result["type"] = "string"
            result["format"] = "date-time"
            notes.append("An ISO 8601 date or date-time.")
            if let value = schema.after { notes.append("After \(value).") }
            if let value = schema.before { notes.append("Before \(value).") }
        case .array:
            result["type"] = "array"
            if let items = schema.items?.value { result["items"] = jsonSchema(items) }
            if let value = schema.minItems { result["minItems"] = .integer(value) }
            if let value = schema.maxItems { result["maxItems"] = .integer(value) }
            if schema.uniqueItems { result["uniqueItems"] = true }
        case .object:
            if let properties = schema.properties {
                result = objectSchema(properties, schema.additionalProperties?.value ?? .forbidden).object ?? [:]
            } else {
                result["type"] = "object"
                if case .schema(let extra) = schema.additionalProperties?.value {
                    result["additionalProperties"] = jsonSchema(extra)
                } else if case .forbidden = schema.additionalProperties?.value {
                    result["additionalProperties"] = false
                }
            }
        case .any:
            break
        case .model(let name):
            result["$ref"] = .string("#/components/schemas/\(name)")
        }
        if schema.nullable {
            if case .model = schema.type {
                result = ["anyOf": [.object(result), ["type": "null"]]]
            } else if let type = result["type"] {
                result["type"] = [type, "null"]
            }
        }
        if let value = schema.enumValues { result["enum"] = .array(value) }
        if let value = schema.constValue { result["const"] = value }
        if let value = schema.defaultValue { result["default"] = value }
        if let value = schema.example { result["examples"] = [value] }
        let description = ([schema.description].compactMap { $0 } + notes).joined(separator: " ")
        if !description.isEmpty { result["description"] = .string(description) }
        return .object(result)
    }
}
