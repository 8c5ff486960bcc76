import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// A blocking HTTP client for tests against the stack scripts/test starts
/// (`GAUNTLET_TEST_BASE_URL`, nginx in front of the host).
struct HTTP {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    static var baseURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["GAUNTLET_TEST_BASE_URL"] else {
                XCTFail("GAUNTLET_TEST_BASE_URL is not set; run the end-to-end tests through scripts/test")
                throw URLError(.badURL)
            }
            return url
        }
    }

    static func request(_ method: String, _ path: String, body: Data? = nil,
                        headers: [String: String] = [:], timeout: Double = 10) throws -> Reply {
        var request = URLRequest(url: URL(string: try baseURL + path)!, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.set(data, response as? HTTPURLResponse, error)
            done.signal()
        }.resume()
        done.wait()
        let (data, response, error) = box.get()
        if let error { throw error }
        guard let response else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields { headers["\(key)"] = "\(value)" }
        return Reply(status: response.statusCode, headers: headers, body: data ?? Data())
    }

    static func get(_ path: String) throws -> Reply { try request("GET", path) }

    static func post(_ path: String, json: String) throws -> Reply {
        try request("POST", path, body: Data(json.utf8), headers: ["Content-Type": "application/json"])
    }
}

private final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Data?, HTTPURLResponse?, Error?) = (nil, nil, nil)
    func set(_ data: Data?, _ response: HTTPURLResponse?, _ error: Error?) {
        lock.lock(); value = (data, response, error); lock.unlock()
    }
    func get() -> (Data?, HTTPURLResponse?, Error?) { lock.lock(); defer { lock.unlock() }; return value }
}
