import CLibPQ
import Foundation

/// The rows of one statement. Owns the libpq result and frees it when the last
/// reference goes; `Row`s keep it alive.
public final class QueryResult {
    let handle: OpaquePointer
    public let rowCount: Int
    public let columnNames: [String]
    private let columnIndex: [String: Int]
    /// Rows inserted, updated or deleted (`PQcmdTuples`), 0 for other commands.
    public let affectedRows: Int

    init(handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        let columns = Int(PQnfields(handle))
        var names: [String] = []
        var index: [String: Int] = [:]
        for c in 0..<columns {
            let name = String(cString: PQfname(handle, Int32(c)))
            names.append(name)
            if index[name] == nil { index[name] = c }
        }
        columnNames = names
        columnIndex = index
        affectedRows = Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    deinit { PQclear(handle) }

    public subscript(row: Int) -> Row { Row(result: self, index: row) }

    public var rows: [Row] { (0..<rowCount).map { Row(result: self, index: $0) } }

    public var first: Row? { rowCount > 0 ? self[0] : nil }

    /// The single row of a statement that must return exactly one.
    public func single() throws -> Row {
        guard rowCount == 1 else {
            throw PostgresError(.usage, "expected exactly one row, got \(rowCount)")
        }
        return self[0]
    }

    func column(_ name: String) throws -> Int {
        guard let c = columnIndex[name] else {
            throw PostgresError(.usage, "no column named '\(name)' (have \(columnNames.joined(separator: ", ")))")
        }
        return c
    }
}

/// One row of a `QueryResult`, read by column name or position.
public struct Row {
    let result: QueryResult
    public let index: Int

    public func isNull(_ column: String) throws -> Bool {
        PQgetisnull(result.handle, Int32(index), Int32(try result.column(column))) == 1
    }

    /// The raw text of a column, nil for NULL.
    public func text(at column: Int) -> String? {
        let r = Int32(index), c = Int32(column)
        if PQgetisnull(result.handle, r, c) == 1 { return nil }
        guard let value = PQgetvalue(result.handle, r, c) else { return nil }
        return String(cString: value)
    }

    public func text(_ column: String) throws -> String? {
        text(at: try result.column(column))
    }

    /// A non-NULL value; NULL or unparseable text is an error naming the column.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let value = try decodeIfPresent(column, as: type) else {
            throw PostgresError(.decoding, "column '\(column)' is NULL, expected \(T.self)")
        }
        return value
    }

    public func decodeIfPresent<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T? {
        guard let text = try text(column) else { return nil }
        guard let value = T.decode(postgresText: text) else {
            throw PostgresError(.decoding, "column '\(column)' holds '\(text.prefix(80))', not a \(T.self)")
        }
        return value
    }

    public func decode<T: PostgresDecodable>(at column: Int, as type: T.Type = T.self) throws -> T {
        guard let text = text(at: column), let value = T.decode(postgresText: text) else {
            throw PostgresError(.decoding, "column \(column) is NULL or not a \(T.self)")
        }
        return value
    }

    /// A `json`/`jsonb` column decoded into a Swift type.
    public func decodeJSON<T: Decodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let text = try text(column) else {
            throw PostgresError(.decoding, "column '\(column)' is NULL, expected JSON")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw PostgresError(.decoding, "column '\(column)' is not a valid \(T.self): \(error)")
        }
    }
}
