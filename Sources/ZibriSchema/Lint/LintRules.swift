/// Every rule id a diagnostic can carry, with what it means. Ids are stable: tools and
/// users' CI filter on them.
public enum LintRules {
    public static let all: [(id: String, summary: String)] = [
        // Reading the file
        ("file-too-large", "the file is over the size limit"),
        ("invalid-encoding", "the file is not UTF-8"),
        ("yaml-syntax", "the file is not valid YAML"),
        ("yaml-too-large", "aliases expand the document past the node limit"),
        ("yaml-too-deep", "the document nests past the depth limit"),
        ("empty-spec", "the file holds no document"),
        // Structure
        ("unknown-key", "a key the format does not have"),
        ("duplicate-key", "a key written twice in one mapping"),
        ("missing-key", "a required key is absent"),
        ("wrong-type", "a value of the wrong type"),
        ("invalid-value", "a value out of its range or otherwise unusable"),
        ("unknown-version", "a `zibri` format version this Zibri does not read"),
        ("invalid-storage", "a storage location that is not memory, sqlite:PATH, postgres://... or scheme:..."),
        (
            "unknown-storage-scheme",
            "a storage scheme no store of Zibri's opens: the application must register one (warning)"
        ),
        ("invalid-name", "a model, handler or policy name that is not an identifier"),
        ("invalid-duration", "a duration that is not like 500ms, 20s, 2m or 1h"),
        // Models and property schemas
        ("unknown-type", "a type or model name that does not exist"),
        ("from-cycle", "models that derive from each other in a circle"),
        ("model-cycle", "a model that requires itself, so no document can be written"),
        ("pick-and-omit", "a derived model with both pick and omit"),
        ("unknown-property", "pick or omit naming a property the base model does not have"),
        ("constraint-type-mismatch", "a constraint on a type it does not apply to"),
        ("min-greater-than-max", "a lower bound above its upper bound"),
        ("invalid-pattern", "a pattern that is not a regular expression"),
        ("nested-quantifier", "a pattern that repeats a repetition, slow in backtracking engines (warning)"),
        ("unknown-format", "a string format Zibri does not know"),
        ("empty-enum", "an enum with no members"),
        ("duplicate-enum-member", "an enum listing a value twice"),
        ("invalid-default", "a default that breaks its property's constraints"),
        ("invalid-example", "an example that breaks its property's constraints"),
        ("invalid-enum-member", "an enum member that breaks its property's constraints"),
        ("invalid-const", "a const that breaks its property's constraints"),
        ("unused-model", "a model no route uses (warning)"),
        // HTTP
        ("invalid-route", "a route key that is not 'METHOD /path'"),
        ("invalid-method", "an HTTP method that does not exist"),
        ("invalid-path", "a path that is not a path"),
        ("ambiguous-route", "two routes that match the same requests"),
        ("undeclared-path-param", "a path parameter without a declaration; taken as a string (warning)"),
        ("unused-path-param", "a declared parameter the path does not have"),
        ("body-not-allowed", "a body on GET, HEAD or DELETE (warning)"),
        ("invalid-status", "a status outside 100-599"),
        ("auth-not-configured", "auth or roles on a route while the spec has no auth section"),
        ("duplicate-handler", "one handler name used by two routes (warning)"),
        // WebSocket
        ("websocket-path-collision", "the WebSocket path is also an HTTP route"),
        ("reserved-event", "a route event with the reserved ws: prefix"),
        ("invalid-event", "an empty event name"),
        ("invalid-channel-pattern", "a channel pattern that does not parse"),
        ("durable-without-auth", "a durable channel while WebSocket connections have no user (warning)"),
        ("rejoin-without-policy", "'rejoin: check' on a channel without a join policy, or not durable (warning)"),
    ]
}
