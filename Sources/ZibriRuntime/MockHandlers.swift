package import ZibriSchema
import ZibriValidation

/// A response the mock cannot make valid, for the warning `zibri serve --mock` prints.
package struct MockProblem: Sendable, CustomStringConvertible {
    package let location: SourceLocation
    package let route: String
    package let problem: String

    package var description: String {
        "\(location): warning: the mock answer of \(route) does not fit its response (\(problem)); give the schema an example"
    }
}

extension ZibriApplication {
    /// Registers a stand-in for every handler, policy and lifecycle hook the spec names, for
    /// `zibri serve --mock`: HTTP routes answer with a value of their `response` (its examples,
    /// or data built from its constraints), WebSocket routes with that of their `response` or
    /// else the body they got, and every policy allows. Everything else is the real runtime.
    /// The answers are built once, here; what cannot be made valid is returned.
    @discardableResult
    package func registerMocks() -> [MockProblem] {
        let spec = compiled.spec
        let mocks = MockValues(compiled)
        var problems: [MockProblem] = []

        func answer(_ schema: PropertySchema, route: String, at location: SourceLocation) -> JSONValue {
            let (value, failure) = mocks.value(for: schema)
            if let first = failure?.problems.first {
                let pointer = first.pointer.isEmpty ? "" : "\(first.pointer): "
                problems.append(MockProblem(location: location, route: route, problem: pointer + first.message))
            }
            return value
        }

        for route in spec.http.routes {
            guard let name = route.handler?.value, http.registrations[name] == nil else { continue }
            let key = "\(route.method) \(route.path)"
            if let response = route.response {
                let value = answer(response, route: key, at: route.location)
                http.handle(name) { (_: HTTPInput<JSONValue>, _) in value }
            } else {
                http.handle(name) { (_: HTTPInput<JSONValue>, _) in NoContent() }
            }
        }

        if let settings = spec.websocket {
            for route in settings.routes {
                guard let name = route.handler?.value, websocket.registrations[name] == nil else { continue }
                if let response = route.response {
                    let value = answer(response, route: "'\(route.event)'", at: route.location)
                    websocket.handle(name) { (_: JSONValue, _) in value }
                } else {
                    websocket.handle(name) { (body: JSONValue, _) in body }
                }
            }
            if let name = settings.isAllowedToConnect?.value {
                policies.isAllowedToConnect(name) { _ in true }
            }
            for channel in settings.channels {
                if let name = channel.join?.value { policies.join(name) { _, _, _ in true } }
            }
            if let name = settings.onConnect?.value { websocket.onConnect(name) { _ in } }
            if let name = settings.onDisconnect?.value { websocket.onDisconnect(name) { _, _ in } }
        }
        return problems
    }
}
