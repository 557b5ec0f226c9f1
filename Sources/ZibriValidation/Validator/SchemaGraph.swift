/// Owns every node one `SchemaCompiler` made (see `SchemaNode.target`). Filled only while
/// compiling, then read-only.
final class SchemaGraph: @unchecked Sendable {
    private(set) var nodes: [SchemaNode] = []

    func adopt(_ node: SchemaNode) {
        nodes.append(node)
    }
}
