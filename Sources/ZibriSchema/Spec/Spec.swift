/// A loaded spec: the format v1 as typed values, each with its source location.
///
/// Produced by the pipeline's decode stage (`SpecPipeline`); missing optional keys carry their documented defaults.
public struct Spec: Sendable {
    public static let supportedVersions = ["1"]

    public var file: String
    public var version: Located<String>
    public var info: Info
    public var server: ServerSettings
    public var storage: Located<StorageSetting>?
    public var auth: AuthSettings?
    /// Models in source order.
    public let models: [Model]
    public var http: HTTPSettings
    public var websocket: WebSocketSettings?
    /// Where each top-level key was written.
    public var keyLocations: [String: SourceLocation]

    /// Index into `models` by name (the first model of a name wins; duplicates are reported).
    private let modelIndex: [String: Int]

    init(
        file: String, version: Located<String>, info: Info, server: ServerSettings, storage: Located<StorageSetting>?,
        auth: AuthSettings?, models: [Model], http: HTTPSettings, websocket: WebSocketSettings?,
        keyLocations: [String: SourceLocation]
    ) {
        self.file = file
        self.version = version
        self.info = info
        self.server = server
        self.storage = storage
        self.auth = auth
        self.models = models
        self.http = http
        self.websocket = websocket
        self.keyLocations = keyLocations
        var index: [String: Int] = [:]
        for (position, model) in models.enumerated() where index[model.name] == nil {
            index[model.name] = position
        }
        self.modelIndex = index
    }

    public func model(named name: String) -> Model? {
        modelIndex[name].map { models[$0] }
    }

    /// The storage to use when the spec names none.
    public var effectiveStorage: StorageSetting { storage?.value ?? .sqlite(path: "zibri.sqlite") }
}

extension Character {
    package var isASCIIDigit: Bool { isASCII && isNumber }
}
