import Benchmark
import Yams
import ZibriSchema
import ZibriValidation

/// A spec with `models` models (every fifth derived, each referencing the one before) and
/// `2 × pathPairs` HTTP routes plus `webSocketRoutes` WebSocket routes.
func generatedSpec(models: Int, pathPairs: Int, webSocketRoutes: Int) -> String {
    var yaml = """
        zibri: "1"
        info: { title: Generated, version: 1.0.0 }
        auth: { jwt: { secretEnv: SECRET } }
        models:

        """
    for index in 0..<models {
        if index % 5 == 4 {
            yaml += "  Model\(index): { from: Model\(index - 1), omit: [code], partial: true }\n"
            continue
        }
        yaml += """
              Model\(index):
                description: Model number \(index)
                properties:
                  id: { type: string, format: uuid }
                  name: { type: string, minLength: 1, maxLength: 40, pattern: "^[A-Za-z0-9 _-]+$" }
                  code: { type: string, enum: [a, b, c], default: a }
                  count: { type: integer, minimum: 0, maximum: 1000, multipleOf: 5, default: 10 }
                  tags: { type: array, items: { type: string, maxLength: 20 }, maxItems: 5, uniqueItems: true, default: [] }
                  createdAt: { type: date, after: "2000-01-01" }

            """
        if index > 0 {
            yaml += "      previous: { type: Model\(index - 1), required: false }\n"
        }
    }
    yaml += "http:\n  basePath: /api\n  routes:\n"
    for index in 0..<pathPairs {
        let model = index % models
        yaml += """
                GET /r\(index)/items/{id}:
                  handler: getItem\(index)
                  params: { id: { type: string, format: uuid } }
                  query: { limit: { type: integer, minimum: 1, maximum: 100, default: 20 } }
                  response: Model\(model)
                POST /r\(index)/items:
                  handler: createItem\(index)
                  body: Model\(model)
                  status: 201
                  auth: required

            """
    }
    yaml += "websocket:\n  path: /ws\n  channels:\n    \"room:{roomId}\": { clientJoin: true }\n  routes:\n"
    for index in 0..<webSocketRoutes {
        yaml += "    event \(index): { handler: onEvent\(index), body: Model\(index % models) }\n"
    }
    return yaml
}

// 500 models and 2,250 routes (2,000 HTTP, 250 WebSocket): about 0.56 MB of YAML.
let spec = generatedSpec(models: 500, pathPairs: 1000, webSocketRoutes: 250)
let bytes = Array(spec.utf8)
print("generated spec: \(bytes.count) bytes, 500 models, 2,250 routes")

benchmark("baseline: Yams parses the spec (no Zibri)") {
    _ = try Parser(yaml: spec, resolver: .basic).singleRoot()
}

benchmark("zibri lint: load + lint + compile") {
    let result = SpecChecker.check(bytes: bytes, file: "generated.zibri.yaml")
    precondition(!result.diagnostics.hasErrors, "\(result.diagnostics.prefix(3))")
}

Benchmark.main()
