package enum JSONPointer {
    /// Appends a reference token, escaping `~` as `~0` and `/` as `~1`.
    package static func appending(_ token: String, to pointer: String) -> String {
        guard token.contains("~") || token.contains("/") else { return pointer + "/" + token }
        return pointer + "/" + token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
