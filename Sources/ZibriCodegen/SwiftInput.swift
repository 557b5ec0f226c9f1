/// What a typed HTTP handler gets when its route has path or query parameters: the body and
/// the parameters as structs of their own, made from the runtime's `HTTPInput`.
struct SwiftInput: Sendable {
    var name: String
    var doc: [String]
    var body: String
    var params: SwiftStruct?
    var query: SwiftStruct?
}
