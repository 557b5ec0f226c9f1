import Foundation
import Yams

/// Stage 1 of the pipeline: bytes to a `YAMLNode` tree with positions, or diagnostics.
package enum YAMLLoader {
    package static func load(
        _ bytes: [UInt8], file: String, limits: YAMLLimits = YAMLLimits()
    ) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard bytes.count <= limits.maxFileBytes else {
            return (
                nil,
                [
                    .error(
                        "file-too-large",
                        "the file is \(bytes.count) bytes, over the limit of \(limits.maxFileBytes) bytes",
                        at: start)
                ]
            )
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return (
                nil, [.error("invalid-encoding", "the file is not valid UTF-8", at: invalidUTF8Location(bytes, file))]
            )
        }
        return load(text, file: file, limits: limits)
    }

    package static func load(
        _ text: String, file: String, limits: YAMLLimits = YAMLLimits()
    ) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
        let start = SourceLocation(file: file, line: 1, column: 1)
        if let (line, column) = YAMLDepthScan.firstTooDeep(text, maxDepth: limits.maxDepth) {
            return (nil, [tooDeep(limits, at: SourceLocation(file: file, line: line, column: column))])
        }
        let node: Node?
        do {
            node = try Parser(yaml: text, resolver: .basic).singleRoot()
        } catch let error as YamlError {
            var diagnostic = syntaxDiagnostic(error, file: file)
            diagnostic.location = clamped(diagnostic.location, to: SpecSource(file: file, text: text))
            return (nil, [diagnostic])
        } catch {
            return (nil, [.error("yaml-syntax", "\(error)", at: start)])
        }
        guard let node else {
            return (nil, [.error("empty-spec", "the spec is empty", at: start)])
        }
        var converter = Converter(file: file, source: SpecSource(file: file, text: text), limits: limits)
        let root = converter.convert(node, depth: 0)
        if let problem = converter.problem {
            return (nil, [problem])
        }
        return (root, [])
    }

    private struct Converter {
        let file: String
        let source: SpecSource
        let limits: YAMLLimits
        var nodeCount = 0
        var problem: Diagnostic?

        mutating func convert(_ node: Node, depth: Int) -> YAMLNode {
            let location =
                node.mark.map {
                    YAMLLoader.clamped(SourceLocation(file: file, line: $0.line, column: $0.column), to: source)
                }
                ?? SourceLocation(file: file, line: 1, column: 1)
            nodeCount += 1
            if problem != nil {
                return YAMLNode(.scalar(YAMLScalar(text: "", value: .null, isQuoted: false)), at: location)
            }
            if nodeCount > limits.maxNodes {
                problem = .error(
                    "yaml-too-large",
                    "the document expands to more than \(limits.maxNodes) nodes",
                    at: location,
                    hint: "aliases that refer to aliases multiply the document's size")
            } else if depth > limits.maxDepth {
                problem = YAMLLoader.tooDeep(limits, at: location)
            }
            switch node {
            case .scalar(let scalar):
                let quoted = scalar.style != .plain && scalar.style != .any
                // `!!str 12` and `! 12` are strings whatever they look like.
                let explicitString = ["tag:yaml.org,2002:str", "!"].contains(scalar.tag.description)
                let value: YAMLScalar.Value =
                    quoted || explicitString ? .string(scalar.string) : YAMLScalar.resolvePlain(scalar.string)
                return YAMLNode(.scalar(YAMLScalar(text: scalar.string, value: value, isQuoted: quoted)), at: location)
            case .sequence(let sequence):
                var items: [YAMLNode] = []
                items.reserveCapacity(sequence.count)
                for item in sequence where problem == nil {
                    items.append(convert(item, depth: depth + 1))
                }
                return YAMLNode(.sequence(items), at: location)
            case .mapping(let mapping):
                var pairs: [YAMLPair] = []
                pairs.reserveCapacity(mapping.count)
                for (key, value) in mapping where problem == nil {
                    pairs.append(YAMLPair(key: convert(key, depth: depth + 1), value: convert(value, depth: depth + 1)))
                }
                return YAMLNode(.mapping(pairs), at: location)
            }
        }
    }

    private static func tooDeep(_ limits: YAMLLimits, at location: SourceLocation) -> Diagnostic {
        .error("yaml-too-deep", "the document nests deeper than \(limits.maxDepth) levels", at: location)
    }

    private static func syntaxDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        func location(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line, column: mark.column)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
            }
            return .error("yaml-syntax", message, at: location(mark))
        case .reader(let problem, let offset, _, let yaml):
            return .error(
                "yaml-syntax", "YAML syntax error: \(problem)",
                at: SpecSource(file: file, text: String(yaml.prefix(offset ?? 0))).end)
        default:
            return .error("yaml-syntax", "YAML error: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    /// libyaml places an error at the end of input, or the empty root of a document that is only
    /// `---`, on the line after the last one; point at the end of the last line instead, so the
    /// caret has a line to stand under.
    private static func clamped(_ location: SourceLocation, to source: SpecSource) -> SourceLocation {
        location.line > source.lineCount ? source.end : location
    }

    private static func invalidUTF8Location(_ bytes: [UInt8], _ file: String) -> SourceLocation {
        // The first byte that does not start or continue a valid sequence, found by decoding.
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var valid = String.UnicodeScalarView()
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            valid.append(scalar)
        }
        return SpecSource(file: file, text: String(valid)).end
    }
}
