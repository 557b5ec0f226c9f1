import Foundation

/// Browser origins (`scheme://host[:port]`) as the `Origin` header carries them.
public enum Origins {
    /// `https://App.example.com:443/` → `https://app.example.com`; `*` stays; nil when the text
    /// is not an http(s) origin.
    public static func normalize(_ text: String) -> String? {
        if text == "*" { return text }
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host?.lowercased(), !host.isEmpty,
            url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil, url.user == nil
        else { return nil }
        return "\(scheme)://\(authority(host: host, port: url.port, scheme: scheme))"
    }

    /// `host` or `host:port`, without the scheme's default port.
    public static func authority(host: String, port: Int?, scheme: String) -> String {
        guard let port, port != (scheme == "https" ? 443 : 80) else { return host }
        return "\(host):\(port)"
    }

    /// Whether a browser's `Origin` may open a socket: one of `allowed`, any with `*`, or the
    /// same origin as the request (its host and port are the `Host` header's). A `ws:` or
    /// `wss:` origin is a program's (NIO's client upgrader sends one), never a page's: allowed.
    public static func allows(origin: String, host: String?, allowed: [String]) -> Bool {
        if allowed.contains("*") { return true }
        let lowered = origin.lowercased()
        if lowered.hasPrefix("ws://") || lowered.hasPrefix("wss://") { return true }
        guard let normalized = normalize(origin) else { return false }
        if allowed.contains(normalized) { return true }
        guard let host, let components = URLComponents(string: normalized), let scheme = components.scheme,
            let requestHost = URLComponents(string: "\(scheme)://\(host.lowercased())"),
            let requestHostName = requestHost.host
        else { return false }
        return authority(host: requestHostName, port: requestHost.port, scheme: scheme)
            == authority(host: components.host ?? "", port: components.port, scheme: scheme)
    }
}
