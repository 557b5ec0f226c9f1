public import Foundation

/// Encodes an `Encodable` value as compact JSON bytes in one pass, as the runtime encodes every
/// answer: dates as RFC 3339 (as validation reads them), `Data` as base64, keys in the order the
/// value encodes them, `/` not escaped, a `JSONValue` with its keys sorted (as `jsonText`).
///
/// Foundation's `JSONEncoder` first builds a tree of the whole value and then writes it; this
/// writes each value as it comes, which is what synthesized and almost every hand-written
/// `encode(to:)` allows: each container is used until the next one of its parent. A value that
/// goes back to a container its parent has moved past (or asks for a `superEncoder`, or holds a
/// non-finite number or a `Decimal`) is encoded again by `JSONEncoder` with the same settings,
/// so the output is always right and the errors are Foundation's.
public struct StreamingJSONEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let writer = JSONStreamWriter()
        do {
            try writer.encodeTopLevel(value)
            return writer.bytes
        } catch is UnstreamableValue {
            return [UInt8](try Self.foundationEncoder.encode(value))
        }
    }

    /// Foundation's encoder with the same date encoding; thread-safe, shared.
    public static func makeFoundationEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.format(date))
        }
        return encoder
    }

    private static let foundationEncoder = makeFoundationEncoder()
}

/// Thrown inside the writer when a value cannot be written in one pass; never escapes.
private struct UnstreamableValue: Error {}

/// The output and the stack of open containers. A container is identified by the number it
/// got when it opened, so that a container its parent has moved past is recognized.
private final class JSONStreamWriter {
    struct OpenContainer {
        let id: Int
        let isObject: Bool
        var count = 0
    }

    /// The mutable state, behind a pointer: the class's own stored variables would be checked
    /// for exclusive access at run time on every byte written (a quarter of the work).
    private struct State {
        var bytes: [UInt8] = []
        var open: [OpenContainer] = []
        var nextID = 0
        /// A container could not be placed in stream order; whatever was written, the value
        /// goes to JSONEncoder (a container that fails is only noticed when written to).
        var unstreamable = false
    }

    private let state: UnsafeMutablePointer<State>

    init() {
        state = .allocate(capacity: 1)
        state.initialize(to: State())
        state.pointee.bytes.reserveCapacity(1024)
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    var bytes: [UInt8] {
        get { state.pointee.bytes }
        _modify { yield &state.pointee.bytes }
    }

    private var open: [OpenContainer] {
        get { state.pointee.open }
        _modify { yield &state.pointee.open }
    }

    private var nextID: Int {
        get { state.pointee.nextID }
        _modify { yield &state.pointee.nextID }
    }

    /// Sends the whole value to JSONEncoder, even if nothing more is written in stream order.
    func markUnstreamable() {
        state.pointee.unstreamable = true
    }

    func encodeTopLevel<T: Encodable>(_ value: T) throws {
        if try writeDirectly(value) { return }
        let encoder = StreamEncoder(writer: self, level: 0, parent: nil, key: nil)
        try value.encode(to: encoder)
        // A top-level value that wrote nothing is an error JSONEncoder reports its own way.
        guard encoder.wrote, !state.pointee.unstreamable else { throw UnstreamableValue() }
        closeContainers(from: 0)
    }

    /// Writes `value` at the position of `encoder` (whose level is the container depth there).
    func encodeValue<T: Encodable>(_ value: T, with encoder: StreamEncoder) throws {
        if try writeDirectly(value) {
            encoder.wrote = true
            return
        }
        try value.encode(to: encoder)
        if encoder.wrote {
            // The value is complete: close what it opened.
            closeContainers(from: encoder.level)
        } else {
            // A value that encoded nothing is an empty object, as with JSONEncoder.
            bytes.append(UInt8(ascii: "{"))
            bytes.append(UInt8(ascii: "}"))
            encoder.wrote = true
        }
    }

    /// Writes the common scalars and the types JSONEncoder treats specially (dates, data, URLs)
    /// without going through `encode(to:)`; false for every other type. Comparing types is a
    /// pointer comparison, where a cast to a protocol would search conformances.
    private func writeDirectly<T: Encodable>(_ value: T) throws -> Bool {
        if T.self == String.self {
            writeString(Self.load(value, as: String.self))
        } else if T.self == Int.self {
            writeInteger(Self.load(value, as: Int.self))
        } else if T.self == Bool.self {
            writeBool(Self.load(value, as: Bool.self))
        } else if T.self == Double.self {
            try writeFloatingPoint(Self.load(value, as: Double.self))
        } else if T.self == Date.self {
            writeString(ISO8601.format(Self.load(value, as: Date.self)))
        } else if T.self == JSONValue.self {
            writeJSONValue(Self.load(value, as: JSONValue.self))
        } else if T.self == Data.self {
            writeString(Self.load(value, as: Data.self).base64EncodedString())
        } else if T.self == URL.self {
            writeString(Self.load(value, as: URL.self).absoluteString)
        } else if T.self == Decimal.self {
            // JSONEncoder writes a decimal's exact digits; leave that to it.
            throw UnstreamableValue()
        } else {
            return false
        }
        return true
    }

    /// `value` as the type it is known to have.
    private static func load<T, U>(_ value: T, as type: U.Type) -> U {
        withUnsafePointer(to: value) { UnsafeRawPointer($0).load(as: U.self) }
    }

    /// Opens a container at `level`; the value at that level must not have written yet.
    func openContainer(at level: Int, isObject: Bool) throws -> Int {
        guard open.count == level else { throw UnstreamableValue() }
        nextID += 1
        open.append(OpenContainer(id: nextID, isObject: isObject))
        bytes.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        return nextID
    }

    /// Makes the container `id` at `level` current for one more element: closes what its
    /// previous element opened, and writes the separator. Fails if the container was closed.
    func beginElement(of id: Int, at level: Int) throws {
        guard open.count > level, open[level].id == id else { throw UnstreamableValue() }
        closeContainers(from: level + 1)
        if open[level].count > 0 { bytes.append(UInt8(ascii: ",")) }
        open[level].count += 1
    }

    func isOpen(_ id: Int, at level: Int) -> Bool {
        open.count > level && open[level].id == id
    }

    func count(of id: Int, at level: Int) -> Int {
        isOpen(id, at: level) ? open[level].count : 0
    }

    /// Closes every open container at `level` and deeper.
    func closeContainers(from level: Int) {
        while open.count > level {
            bytes.append(open.removeLast().isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    // MARK: Scalars

    func writeNull() {
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
    }

    func writeBool(_ value: Bool) {
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])  // true
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])  // false
        }
    }

    func writeInteger<T: FixedWidthInteger>(_ value: T) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Digits from the last, into a buffer long enough for 128-bit numbers.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var magnitude = value.magnitude
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// As JSONEncoder writes them: the shortest form that reads back the same, without a
    /// trailing `.0`. Infinity and NaN are JSONEncoder's error.
    func writeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T) throws {
        guard value.isFinite else { throw UnstreamableValue() }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    func writeString(_ value: String) {
        JSONValue.appendEscaped(value, to: &bytes)
    }

    func writeJSONValue(_ value: JSONValue) {
        value.appendJSON(to: &bytes)
    }
}

/// The encoder of one value. `level` is the depth of the container this value opens (the
/// number of containers open around it).
private final class StreamEncoder: Encoder {
    let writer: JSONStreamWriter
    let level: Int
    let parent: StreamEncoder?
    let key: (any CodingKey)?
    /// Whether this value has written anything (a scalar, or opened its container).
    var wrote = false
    /// The container this value opened, once it has.
    var containerID: Int?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(writer: JSONStreamWriter, level: Int, parent: StreamEncoder?, key: (any CodingKey)?) {
        self.writer = writer
        self.level = level
        self.parent = parent
        self.key = key
    }

    /// Built only when asked for (errors, and the rare `encode(to:)` that reads it).
    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: StreamEncoder? = self
        while let current = node, let key = current.key {
            path.append(key)
            node = current.parent
        }
        return path.reversed()
    }

    /// The container of this value: opened on first request; asked again (a subclass and its
    /// superclass both encoding into one object), the same one if it is still open.
    private func container(isObject: Bool) throws -> Int {
        if let containerID {
            guard writer.isOpen(containerID, at: level) else { throw UnstreamableValue() }
            return containerID
        }
        guard !wrote else { throw UnstreamableValue() }
        let id = try writer.openContainer(at: level, isObject: isObject)
        containerID = id
        wrote = true
        return id
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        do {
            return KeyedEncodingContainer(StreamKeyedContainer<Key>(encoder: self, id: try container(isObject: true)))
        } catch {
            writer.markUnstreamable()
            return KeyedEncodingContainer(StreamKeyedContainer<Key>(encoder: self, id: nil))
        }
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        do {
            return StreamUnkeyedContainer(encoder: self, id: try container(isObject: false))
        } catch {
            writer.markUnstreamable()
            return StreamUnkeyedContainer(encoder: self, id: nil)
        }
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamSingleValueContainer(encoder: self)
    }

    /// The encoder for one element of this value's container.
    func child(key: (any CodingKey)?) -> StreamEncoder {
        StreamEncoder(writer: writer, level: level + 1, parent: self, key: key)
    }
}

private struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: StreamEncoder
    /// Nil when the container could not be opened in stream order: every use then fails, and
    /// the value is encoded by JSONEncoder instead.
    let id: Int?

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func begin(_ key: Key) throws -> JSONStreamWriter {
        guard let id else { throw UnstreamableValue() }
        let writer = encoder.writer
        try writer.beginElement(of: id, at: encoder.level)
        writer.writeString(key.stringValue)
        writer.bytes.append(UInt8(ascii: ":"))
        return writer
    }

    mutating func encodeNil(forKey key: Key) throws { try begin(key).writeNull() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key).writeBool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try begin(key).writeString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key).writeFloatingPoint(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try begin(key).writeFloatingPoint(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try begin(key).writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try begin(key).writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        let writer = try begin(key)
        try writer.encodeValue(value, with: encoder.child(key: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = encoder.child(key: key)
        guard (try? begin(key)) != nil else {
            encoder.writer.markUnstreamable()
            return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(encoder: child, id: nil))
        }
        return child.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = encoder.child(key: key)
        guard (try? begin(key)) != nil else {
            encoder.writer.markUnstreamable()
            return StreamUnkeyedContainer(encoder: child, id: nil)
        }
        return child.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.writer.markUnstreamable()
        return UnstreamableEncoder(codingPath: codingPath)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        encoder.writer.markUnstreamable()
        return UnstreamableEncoder(codingPath: codingPath)
    }
}

private struct StreamUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: StreamEncoder
    let id: Int?

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { id.map { encoder.writer.count(of: $0, at: encoder.level) } ?? 0 }

    private func begin() throws -> JSONStreamWriter {
        guard let id else { throw UnstreamableValue() }
        try encoder.writer.beginElement(of: id, at: encoder.level)
        return encoder.writer
    }

    private var index: any CodingKey { ElementIndex(intValue: count) }

    mutating func encodeNil() throws { try begin().writeNull() }
    mutating func encode(_ value: Bool) throws { try begin().writeBool(value) }
    mutating func encode(_ value: String) throws { try begin().writeString(value) }
    mutating func encode(_ value: Double) throws { try begin().writeFloatingPoint(value) }
    mutating func encode(_ value: Float) throws { try begin().writeFloatingPoint(value) }
    mutating func encode(_ value: Int) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: Int8) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: Int16) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: Int32) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: Int64) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { try begin().writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = index
        let writer = try begin()
        try writer.encodeValue(value, with: encoder.child(key: key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    )
        -> KeyedEncodingContainer<NestedKey>
    {
        let child = encoder.child(key: index)
        guard (try? begin()) != nil else {
            encoder.writer.markUnstreamable()
            return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(encoder: child, id: nil))
        }
        return child.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = encoder.child(key: index)
        guard (try? begin()) != nil else {
            encoder.writer.markUnstreamable()
            return StreamUnkeyedContainer(encoder: child, id: nil)
        }
        return child.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        encoder.writer.markUnstreamable()
        return UnstreamableEncoder(codingPath: codingPath)
    }
}

private struct StreamSingleValueContainer: SingleValueEncodingContainer {
    let encoder: StreamEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    /// A single value writes once, where its encoder stands.
    private func begin() throws -> JSONStreamWriter {
        guard !encoder.wrote else { throw UnstreamableValue() }
        encoder.wrote = true
        return encoder.writer
    }

    mutating func encodeNil() throws { try begin().writeNull() }
    mutating func encode(_ value: Bool) throws { try begin().writeBool(value) }
    mutating func encode(_ value: String) throws { try begin().writeString(value) }
    mutating func encode(_ value: Double) throws { try begin().writeFloatingPoint(value) }
    mutating func encode(_ value: Float) throws { try begin().writeFloatingPoint(value) }
    mutating func encode(_ value: Int) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: Int8) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: Int16) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: Int32) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: Int64) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { try begin().writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { try begin().writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        guard !encoder.wrote else { throw UnstreamableValue() }
        // The value takes this encoder's place: it opens its container at the same level.
        try encoder.writer.encodeValue(value, with: encoder)
    }
}

/// What `superEncoder()` returns: writing in one pass cannot place a value the parent has not
/// asked for yet, so every use sends the whole value to JSONEncoder.
private struct UnstreamableEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let writer = JSONStreamWriter()
        let encoder = StreamEncoder(writer: writer, level: 0, parent: nil, key: nil)
        return KeyedEncodingContainer(StreamKeyedContainer<Key>(encoder: encoder, id: nil))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let encoder = StreamEncoder(writer: JSONStreamWriter(), level: 0, parent: nil, key: nil)
        return StreamUnkeyedContainer(encoder: encoder, id: nil)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        let encoder = StreamEncoder(writer: JSONStreamWriter(), level: 0, parent: nil, key: nil)
        encoder.wrote = true
        return StreamSingleValueContainer(encoder: encoder)
    }
}

/// The coding key of an array element.
private struct ElementIndex: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
