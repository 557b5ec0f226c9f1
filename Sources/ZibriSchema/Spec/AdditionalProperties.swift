public enum AdditionalProperties: Sendable {
    case forbidden
    case allowed
    case schema(PropertySchema)
}
