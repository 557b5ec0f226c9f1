import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

public enum LiveHTTP {
    public static func request(
        _ method: String, _ url: String, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> LiveHTTPResponse {
        try await request(method, url, bytes: body.map { Array($0.utf8) }, headers: headers)
    }

    /// A request whose body is any bytes (valid UTF-8 or not).
    public static func request(
        _ method: String, _ url: String, bytes body: [UInt8]?, headers: [String: String] = [:]
    ) async throws -> LiveHTTPResponse {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = Data(body)
            if headers.keys.contains(where: { $0.lowercased() == "content-type" }) == false {
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name] = value }
        }
        return LiveHTTPResponse(status: http.statusCode, headers: fields, body: data)
    }
}
