struct HandlerTypeMismatch: Error, CustomStringConvertible {
    let underlying: String
    let part: String
    var description: String { "the handler's \(part) type does not fit the route's \(part) schema: \(underlying)" }
}
