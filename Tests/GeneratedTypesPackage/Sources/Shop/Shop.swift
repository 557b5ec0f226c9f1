// The shop's handlers, on the types the ZibriGenerator plugin made from shop.zibri.yaml:
// `NewProduct`, `Product`, `Category`, `Stock`, `Review`, `SearchBody` and `app.handlers`.
import Foundation
public import Zibri
import ZibriSchema

/// The products, in memory.
actor Catalog {
    private var products: [Product] = []

    func add(_ new: NewProduct) -> Product {
        let product = Product(
            id: products.count + 1, name: new.name, status: new.status, price: new.price, tags: new.tags,
            dimensions: new.dimensions, category: new.category, discontinuedAt: nil)
        products.append(product)
        return product
    }

    func product(_ id: Int) throws -> Product {
        guard products.indices.contains(id - 1) else {
            throw ZibriHTTPError(status: 404, title: "Not Found", detail: "there is no product \(id)")
        }
        return products[id - 1]
    }

    func search(_ words: String) -> [Product] {
        products.filter { $0.name.localizedCaseInsensitiveContains(words) }
    }
}

public enum Shop {
    public static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("shop.zibri.yaml").path

    /// The shop, its handlers registered through the generated, typed helpers.
    public static func application(
        spec: String = specPath, environment: [String: String] = ["ZIBRI_PORT": "0"]
    )
        throws -> ZibriApplication
    {
        let app = try ZibriApplication(spec: spec, environment: environment)
        let catalog = Catalog()
        app.handlers.addProduct { input, _ in await catalog.add(input.body) }
        app.handlers.getProduct { input, _ in try await catalog.product(input.params.id) }
        app.handlers.getStock { _, _ in ["apples": 3, "pears": 0] }
        app.handlers.search { input, _ in await catalog.search(input.body.words) }
        app.handlers.canWatchProduct { _, _, parameters in parameters["productId"] != "13" }
        app.handlers.welcome { context in
            try await context.websocket.send(
                event: "welcome", data: ["connection": .string(context.connection.id)], to: context.connection.id)
        }
        app.handlers.receiveReview { review, _ in
            var answer = review
            answer.text = review.text.trimmingCharacters(in: .whitespaces)
            return answer
        }
        app.handlers.ping { _ in }
        return app
    }
}
