// Yams builds its node tree by recursion, one stack frame per nesting level: a file of
// nothing but `[[[[…` crashes it with a stack overflow long before our own depth limit
// can look at the tree. This scan reads libyaml's events (flat, no recursion, no tree) to
// find a too-deep document first. CYaml is not a product of Yams, but it is the module Yams
// itself is built on and is always in the build graph with it.
internal import CYaml

enum YAMLDepthScan {
    /// The position (1-based line and column) of the first node nested deeper than
    /// `maxDepth` (the root is at depth 0), or nil. Syntax errors end the scan quietly: the real parse that
    /// follows reports them with its own messages.
    static func firstTooDeep(_ text: String, maxDepth: Int) -> (line: Int, column: Int)? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        var utf8 = Array(text.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var open = 0  // collections started and not yet ended
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_SCALAR_EVENT, YAML_ALIAS_EVENT, YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    // A node's depth is the number of collections around it, as in the converter.
                    if open > maxDepth {
                        return (Int(event.start_mark.line) + 1, Int(event.start_mark.column) + 1)
                    }
                    if event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT {
                        open += 1
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    open -= 1
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
            return nil
        }
    }
}
