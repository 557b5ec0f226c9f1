/// An error a handler throws to answer with a status of its choosing, as a problem document.
public struct ZibriHTTPError: Error, Sendable, Equatable {
    public var status: Int
    public var title: String
    public var detail: String?
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    public var type: String

    public init(status: Int, title: String, detail: String? = nil, type: String = "about:blank") {
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
    }
}
