enum Instruction: Sendable {
    case scalar(Unicode.Scalar)
    case set(CharacterSet)
    case anyButNewline
    case split(Int, Int)
    case jump(Int)
    case assertStart
    case assertEnd
    case wordBoundary(Bool)
    case match
}
