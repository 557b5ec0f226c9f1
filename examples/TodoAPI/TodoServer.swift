// `swift run todo-api`: the HTTP-only example, todo.zibri.yaml on http://127.0.0.1:8080/api/todos.
// Zibri validates every request against the spec before a handler runs; the handlers keep the
// todos in SQLite with GRDB (the spec's `storage`, todos.sqlite in the working directory, or
// ZIBRI_STORAGE_URL; `memory` for a throw-away list). TODO_JWT_SECRET signs the tokens; without
// it a development secret is used and an admin token is printed, so that DELETE can be tried.
import Foundation
import GRDB
import JWTKit
import Zibri
import ZibriSchema

// `Todo`, `NewTodo`, `TodoPage` and `app.handlers` are generated from todo.zibri.yaml at build
// time by the ZibriGenerator plugin; here the generated `Todo` only learns to be a table row.
extension Todo: FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "todo"

    /// A todo that is not inserted yet has the id 0: SQLite chooses its id.
    func encode(to container: inout PersistenceContainer) throws {
        container["id"] = id == 0 ? nil : id
        container["title"] = title
        container["done"] = done
        container["priority"] = priority.rawValue
        container["due"] = due
        container["owner"] = owner
        container["createdAt"] = createdAt
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = Int(inserted.rowID)
    }
}

/// The todos' table, in whatever database `storage` names.
struct TodoDatabase: Sendable {
    let writer: any DatabaseWriter

    init(_ storage: StorageSetting) throws {
        switch storage.scheme {
        case "memory": writer = try DatabaseQueue()
        case "sqlite": writer = try DatabasePool(path: storage.path)
        default:
            throw ZibriError(
                code: "unsupported-storage",
                message: "the todo example keeps its todos in SQLite: storage must be sqlite:PATH or memory")
        }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("create todo") { db in
            try db.create(table: "todo") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("title", .text).notNull()
                table.column("done", .boolean).notNull()
                table.column("priority", .text).notNull()
                table.column("due", .datetime)
                table.column("owner", .text).notNull()
                table.column("createdAt", .datetime).notNull()
            }
        }
        try migrator.migrate(writer)
    }

    /// The row as SQLite keeps it. Answers are read back rather than echoed, so that they agree
    /// with every later read to the byte (SQLite keeps dates to the millisecond, truncated, and a
    /// `Date` made here would be encoded rounded).
    static func stored(_ db: Database, _ id: Int64) throws -> Todo {
        guard let todo = try Todo.fetchOne(db, key: id) else {
            throw ZibriHTTPError(status: 404, title: "Not Found", detail: "there is no todo \(id)")
        }
        return todo
    }

    func todo(_ id: Int) async throws -> Todo {
        guard let todo = try await writer.read({ db in try Todo.fetchOne(db, key: id) }) else {
            throw ZibriHTTPError(status: 404, title: "Not Found", detail: "there is no todo \(id)")
        }
        return todo
    }
}

@main
struct TodoServer {
    /// This file's folder: the spec is next to it.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let developmentSecret = "zibri-todo-development-secret-not-for-production"

    static func main() async {
        // A wrong spec, storage or secret: one line saying what, and exit status 1.
        await ZibriApplication.runProgram("todo-api") { try await serve() }
    }

    static func serve() async throws {
        var environment = ProcessInfo.processInfo.environment
        let usesDevelopmentSecret = environment["TODO_JWT_SECRET"] == nil
        if usesDevelopmentSecret { environment["TODO_JWT_SECRET"] = developmentSecret }
        let app = try ZibriApplication(
            spec: folder.appendingPathComponent("todo.zibri.yaml").path, environment: environment)
        let database = try TodoDatabase(app.storage)
        register(app, database)

        let adminToken = usesDevelopmentSecret ? try await developmentToken(user: "admin", roles: ["admin"]) : nil
        let host = app.host
        app.onListening = { port in
            var lines = "Zibri todo API: http://\(host):\(port)/api/todos (OpenAPI at /openapi.json)\n"
            if let adminToken {
                lines += "TODO_JWT_SECRET is not set; an admin token for the development secret: \(adminToken)\n"
            }
            // Written at once, not through print's buffer, for whoever reads the port from a pipe.
            FileHandle.standardOutput.write(Data(lines.utf8))
        }
        try await app.run()
    }

    static func register(_ app: ZibriApplication, _ database: TodoDatabase) {
        // The query is already validated and coerced: `limit` is 1–100 with 20 filled in,
        // `done` a boolean, `priority` one of the enum's members.
        app.handlers.listTodos { input, _ in
            let (limit, offset) = (input.query.limit, input.query.offset)
            var request = Todo.all()
            if let done = input.query.done { request = request.filter(Column("done") == done) }
            if let priority = input.query.priority {
                request = request.filter(Column("priority") == priority.rawValue)
            }
            if let words = input.query.q {
                // The words are matched as written: `%` and `_` in them are not wildcards.
                let escaped = words.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                request = request.filter(Column("title").like("%\(escaped)%", escape: "\\"))
            }
            let filtered = request
            let (items, total) = try await database.writer.read { db in
                (
                    try filtered.order(Column("id").desc).limit(limit, offset: offset).fetchAll(db),
                    try filtered.fetchCount(db)
                )
            }
            return TodoPage(items: items, total: total, limit: limit, offset: offset)
        }

        app.handlers.createTodo { input, _ in
            let new = input.body
            let todo = Todo(
                id: 0, title: new.title, done: new.done, priority: new.priority, due: new.due,
                owner: input.user?.id ?? "guest", createdAt: Date())
            return try await database.writer.write { db in
                let inserted = try todo.inserted(db)
                return try TodoDatabase.stored(db, Int64(inserted.id))
            }
        }

        app.handlers.getTodo { input, _ in
            try await database.todo(input.params.id)
        }

        // A patch is the dynamic value, not a struct: `"due": null` (clear it) and no `due` at
        // all (leave it) are different requests, which an optional property (the generated
        // `TodoPatch.due`) cannot tell apart: registered by name, with the dynamic value.
        app.http.handle("updateTodo") { (input: HTTPInput<JSONValue>, _) -> Todo in
            let id = input.params["id"]?.int ?? 0
            let patch = input.body
            return try await database.writer.write { db in
                guard var todo = try Todo.fetchOne(db, key: id) else {
                    throw ZibriHTTPError(status: 404, title: "Not Found", detail: "there is no todo \(id)")
                }
                if let title = patch["title"]?.string { todo.title = title }
                if let done = patch["done"]?.bool { todo.done = done }
                if let priority = patch["priority"]?.string.flatMap(Todo.Priority.init) { todo.priority = priority }
                if let due = patch["due"] { todo.due = due.date }
                try todo.update(db)
                return try TodoDatabase.stored(db, Int64(id))
            }
        }

        // `auth: required` and `roles: [admin]` are checked before this runs: 401 without a
        // valid token, 403 for a user who is not an admin.
        app.handlers.deleteTodo { input, context in
            let id = input.params.id
            let deleted = try await database.writer.write { db in try Todo.deleteOne(db, key: id) }
            guard deleted else { throw ZibriHTTPError(status: 404, title: "Not Found", detail: "there is no todo \(id)") }
            context.logger.info("todo deleted", metadata: ["todo": "\(id)", "by": "\(input.user?.id ?? "")"])
            return NoContent()
        }
    }

    /// A token for the development secret, valid for a day.
    static func developmentToken(user: String, roles: [String]) async throws -> String {
        struct Claims: JWTPayload {
            let sub: SubjectClaim
            let exp: ExpirationClaim
            let roles: [String]
            func verify(using algorithm: some JWTAlgorithm) async throws { try exp.verifyNotExpired() }
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: developmentSecret), digestAlgorithm: .sha256)
        return try await keys.sign(
            Claims(
                sub: SubjectClaim(value: user), exp: ExpirationClaim(value: Date().addingTimeInterval(86_400)),
                roles: roles))
    }
}
