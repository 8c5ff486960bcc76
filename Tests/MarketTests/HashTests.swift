import XCTest
@testable import Market

final class HashTests: XCTestCase {
    /// FIPS 180-4 example vectors (NIST CAVP / "Secure Hash Standard" examples).
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            SHA256.hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testIncrementalEqualsOneShot() {
        var hasher = SHA256()
        hasher.update("ab")
        hasher.update("c")
        XCTAssertEqual(hasher.hexDigest(), SHA256.hex("abc"))
        // 55, 56 and 64 bytes hit the padding edge cases.
        for n in [55, 56, 63, 64, 65] {
            var split = SHA256()
            let bytes = [UInt8](repeating: 7, count: n)
            split.update(bytes.prefix(n / 2))
            split.update(bytes.dropFirst(n / 2))
            XCTAssertEqual(split.hexDigest(), SHA256.hex(bytes), "length \(n)")
        }
    }

    func testCanonicalJSONAndParamsHash() throws {
        struct P: Encodable { let zeta: Int; let alpha: Double; let path: String }
        let text = try CanonicalJSON.string(P(zeta: 3, alpha: 1.5, path: "a/b"))
        XCTAssertEqual(text, #"{"alpha":1.5,"path":"a/b","zeta":3}"#)
        XCTAssertEqual(try paramsHash(P(zeta: 3, alpha: 1.5, path: "a/b")), SHA256.hex(text))
        XCTAssertEqual(try CanonicalJSON.canonicalize(Data(#"{ "b": [1, 2], "a": "x/y" }"#.utf8)),
                       #"{"a":"x/y","b":[1,2]}"#)
    }
}
