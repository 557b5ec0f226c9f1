indirect enum PatternNode {
    case empty
    case scalar(Unicode.Scalar)
    case set(CharacterSet)
    case anyButNewline
    case sequence([PatternNode])
    case alternation([PatternNode])
    case repetition(PatternNode, min: Int, max: Int?)
    case assertStart
    case assertEnd
    case wordBoundary(Bool)
}
