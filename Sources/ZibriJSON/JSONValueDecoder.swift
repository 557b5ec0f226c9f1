import Foundation

/// Decodes a `Decodable` type from an already parsed and validated `JSONValue`, so a request
/// body is parsed once. Dates decode from validated `date` values or ISO 8601 strings.
public struct JSONValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try ValueDecoder(value: value, parent: nil, key: nil).decodeValue(type)
    }
}

/// One decoder per nested value. The coding path is kept as a link to the parent and only
/// turned into an array when an error needs it, so decoding allocates no paths.
private final class ValueDecoder: Decoder {
    let value: JSONValue
    let parent: ValueDecoder?
    let key: (any CodingKey)?
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(value: JSONValue, parent: ValueDecoder?, key: (any CodingKey)?) {
        self.value = value
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: ValueDecoder? = self
        while let current = node, let key = current.key {
            path.append(key)
            node = current.parent
        }
        return path.reversed()
    }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Date.self {
            guard let date = value.date else { throw mismatch(type, value, codingPath) }
            return date as! T
        }
        if T.self == JSONValue.self { return value as! T }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self, value, codingPath) }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch([JSONValue].self, value, codingPath) }
        return UnkeyedContainer(items: items, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(value: value, decoder: self)
    }
}

private func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
    DecodingError.typeMismatch(
        type, DecodingError.Context(codingPath: path, debugDescription: "Expected \(type), found \(value.typeName)"))
}

/// Scalar conversions shared by the three container kinds. The path is computed only on error.
private enum Scalars {
    static func string(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        switch value {
        case .string(let text): return text
        case .date(let date): return ISO8601.format(date)
        default: throw mismatch(String.self, value, path())
        }
    }

    static func bool(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, path()) }
        return flag
    }

    static func double(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Double {
        guard let number = value.doubleValue else { throw mismatch(Double.self, value, path()) }
        return number
    }

    static func integer<T: FixedWidthInteger>(
        _ type: T.Type, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        let result: T?
        switch value {
        case .integer(let integer): result = T(exactly: integer)
        case .number(let number): result = T(exactly: number)
        default: throw mismatch(type, value, path())
        }
        guard let result else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: path(), debugDescription: "\(value.jsonText) does not fit \(type)"))
        }
        return result
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let decoder: ValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    func path(_ key: Key) -> [any CodingKey] { codingPath + [key] }

    func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(codingPath: codingPath, debugDescription: "No value for '\(key.stringValue)'"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try member(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Scalars.bool(member(key), path(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Scalars.string(member(key), path(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Scalars.double(member(key), path(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(try Scalars.double(member(key), path(key)))
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Scalars.integer(type, member(key), path(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Scalars.integer(type, member(key), path(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try Scalars.integer(type, member(key), path(key))
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try Scalars.integer(type, member(key), path(key))
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try Scalars.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Scalars.integer(type, member(key), path(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try Scalars.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try Scalars.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try Scalars.integer(type, member(key), path(key))
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try Scalars.integer(type, member(key), path(key))
    }

    /// The value for an optional property: nil when absent or null.
    func present(_ key: Key) -> JSONValue? {
        guard let value = members[key.stringValue] else { return nil }
        if case .null = value { return nil }
        return value
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try present(key).map { try Scalars.string($0, path(key)) }
    }

    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        try present(key).map { try Scalars.integer(type, $0, path(key)) }
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try present(key).map { try Scalars.bool($0, path(key)) }
    }

    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try present(key).map { try Scalars.double($0, path(key)) }
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = present(key) else { return nil }
        return try ValueDecoder(value: value, parent: decoder, key: key).decodeValue(type)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ValueDecoder(value: member(key), parent: decoder, key: key).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try ValueDecoder(value: member(key), parent: decoder, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: member(key), parent: decoder, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: .object(members), parent: decoder.parent, key: decoder.key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: members[key.stringValue] ?? .null, parent: decoder, key: key)
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    let stringValue: String

    init(_ index: Int) {
        intValue = index
        stringValue = "\(index)"
    }

    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.init(intValue) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let decoder: ValueDecoder
    var currentIndex = 0

    init(items: [JSONValue], decoder: ValueDecoder) {
        self.items = items
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next<T>(_ type: T.Type) throws -> (JSONValue, IndexKey) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: codingPath, debugDescription: "The array has no more items"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, case .null = items[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let (value, key) = try next(type)
        return try Scalars.bool(value, codingPath + [key])
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let (value, key) = try next(type)
        return try Scalars.string(value, codingPath + [key])
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let (value, key) = try next(type)
        return try Scalars.double(value, codingPath + [key])
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let (value, key) = try next(type)
        return try Scalars.integer(type, value, codingPath + [key])
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, key) = try next(type)
        return try ValueDecoder(value: value, parent: decoder, key: key).decodeValue(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let (value, key) = try next(type)
        return try ValueDecoder(value: value, parent: decoder, key: key).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, key) = try next([JSONValue].self)
        return try ValueDecoder(value: value, parent: decoder, key: key).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, key) = try next(JSONValue.self)
        return ValueDecoder(value: value, parent: decoder, key: key)
    }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let decoder: ValueDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try Scalars.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try Scalars.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try Scalars.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Scalars.double(value, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Scalars.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Scalars.integer(type, value, codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try ValueDecoder(value: value, parent: decoder.parent, key: decoder.key).decodeValue(type)
    }
}
