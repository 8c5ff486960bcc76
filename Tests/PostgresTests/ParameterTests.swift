import Foundation
import Postgres
import XCTest

final class ParameterTests: XCTestCase {
    func testHostileTextRoundTripsAndNeverExecutes() throws {
        let db = try TestDatabase.connect()
        try db.runScript("create temp table notes (id serial primary key, body text)")
        let values: [String?] = [nil, "naïve café — 日本語 🚀", "O'Reilly \"quoted\" \\ back", "'; drop table notes; --", ""]
        for value in values {
            try db.query("insert into notes (body) values ($1)", [value])
        }
        let rows = try db.query("select body from notes order by id").rows
        XCTAssertEqual(try rows.map { try $0.decodeIfPresent("body", as: String.self) }, values)
        // The table is still there: the injection attempt was data, not SQL.
        XCTAssertEqual(try db.query("select count(*) as n from notes").single().decode("n", as: Int.self), 5)
    }

    /// libpq would end a C-string parameter at a NUL: "a\0b" would be looked up as "a".
    /// Refused before sending, with the SQLSTATE PostgreSQL gives text it cannot hold.
    func testTextWithANulIsRefusedNotShortened() throws {
        let db = try TestDatabase.connect()
        try db.runScript("create temp table notes (id serial primary key, body text)")
        XCTAssertThrowsError(try db.query("insert into notes (body) values ($1)", ["a\u{0}b"])) { error in
            XCTAssertEqual((error as? PostgresError)?.sqlState, "22021", "\(error)")
        }
        XCTAssertEqual(try db.query("select count(*) as n from notes").single().decode("n", as: Int.self), 0)
    }

    func testTypedDecoding() throws {
        let db = try TestDatabase.connect()
        let id = UUID()
        let moment = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let row = try db.query("""
            select 42::int4 as i, 9007199254740993::int8 as big, 2.5::float8 as d, 12345.6789::numeric as n,
                   true as b, $1::uuid as u, $2::timestamptz as t, '{"a": [1, 2]}'::jsonb as j,
                   array[1, 2, 3] as ints, array['x,y', 'q"uote', 'plain'] as texts, null::text as missing
            """, [id, moment]).single()
        XCTAssertEqual(try row.decode("i", as: Int.self), 42)
        XCTAssertEqual(try row.decode("big", as: Int64.self), 9_007_199_254_740_993)
        XCTAssertEqual(try row.decode("d", as: Double.self), 2.5)
        XCTAssertEqual(try row.decode("n", as: Decimal.self), Decimal(string: "12345.6789"))
        XCTAssertEqual(try row.decode("b", as: Bool.self), true)
        XCTAssertEqual(try row.decode("u", as: UUID.self), id)
        XCTAssertEqual(try row.decode("t", as: Date.self).timeIntervalSince1970, moment.timeIntervalSince1970, accuracy: 1e-6)
        struct Doc: Decodable, Equatable { let a: [Int] }
        XCTAssertEqual(try row.decodeJSON("j", as: Doc.self), Doc(a: [1, 2]))
        XCTAssertEqual(try row.decode("ints", as: [Int].self), [1, 2, 3])
        XCTAssertEqual(try row.decode("texts", as: [String].self), ["x,y", "q\"uote", "plain"])
        XCTAssertNil(try row.decodeIfPresent("missing", as: String.self))
        XCTAssertThrowsError(try row.decode("missing", as: String.self))
        XCTAssertThrowsError(try row.decode("texts", as: Int.self))
        XCTAssertThrowsError(try row.decode("no_such_column", as: Int.self))
    }

    func testArrayAndJSONParametersRoundTrip() throws {
        let db = try TestDatabase.connect()
        let row = try db.query("select $1::text[] as tags, $2::jsonb ->> 'k' as k, cardinality($1::text[]) as n",
                               [["a", "b,c", "d\"e", "{f}"], JSONText("{\"k\": \"v'\"}")]).single()
        XCTAssertEqual(try row.decode("tags", as: [String].self), ["a", "b,c", "d\"e", "{f}"])
        XCTAssertEqual(try row.decode("k", as: String.self), "v'")
        XCTAssertEqual(try row.decode("n", as: Int.self), 4)
    }

    func testServerErrorsCarrySQLStateAndDetail() throws {
        let db = try TestDatabase.connect()
        try db.runScript("create temp table uniq (k text primary key)")
        try db.query("insert into uniq values ($1)", ["x"])
        XCTAssertThrowsError(try db.query("insert into uniq values ($1)", ["x"])) { error in
            let error = error as? PostgresError
            XCTAssertEqual(error?.sqlState, "23505")
            XCTAssertEqual(error?.code, .serverError)
            XCTAssertNotNil(error?.detail)
        }
    }

    func testTimestampTextRoundTrip() {
        let samples = [0.0, 1_700_000_000.5, -86_400.25, 951_782_400] // 1970, 2023, 1969, 2000-02-29
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            let text = date.postgresText
            XCTAssertEqual(Date.decode(postgresText: text)!.timeIntervalSince1970, seconds, accuracy: 1e-6, text)
        }
        XCTAssertEqual(Date.decode(postgresText: "2000-02-29 12:00:00+05:30")!.timeIntervalSince1970, 951_805_800)
        XCTAssertNil(Date.decode(postgresText: "2000-02-29 12:00"))
    }
}
