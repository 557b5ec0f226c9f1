import Foundation

/// How `SwiftGenerator` writes its declarations.
public struct SwiftGenerationOptions: Sendable, Hashable {
    public enum Access: String, Sendable, Hashable, CaseIterable {
        case `public`, `internal`
    }

    /// `public` for a library that hands the types on; `internal` (the default) otherwise.
    public var access: Access
    /// An enum every type goes in, so that two specs can share a module.
    public var namespace: String?

    public init(access: Access = .internal, namespace: String? = nil) {
        self.access = access
        self.namespace = namespace
    }
}
