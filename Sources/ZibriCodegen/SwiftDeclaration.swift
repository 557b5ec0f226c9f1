/// A type to declare.
indirect enum SwiftDeclaration: Sendable {
    case structure(SwiftStruct)
    case enumeration(SwiftEnum)
    case alias(name: String, doc: [String], target: String)
    case input(SwiftInput)

    var name: String {
        switch self {
        case .structure(let value): value.name
        case .enumeration(let value): value.name
        case .alias(let name, _, _): name
        case .input(let value): value.name
        }
    }
}
