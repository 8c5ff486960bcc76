import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange, driven synchronously: workers call providers from plain threads,
/// so the URLSession completion is awaited with a semaphore, bounded by the request's
/// timeout.
struct HTTPResponse: Sendable {
    let status: Int
    /// Header names lower-cased.
    let headers: [String: String]
    let body: Data
}

enum HTTPTransport {
    /// Ephemeral: no cookies, cache or credentials persist between provider calls.
    /// Redirects are not followed: the Authorization header would go with them.
    private static let session = URLSession(configuration: .ephemeral, delegate: RedirectRefusal(), delegateQueue: nil)

    private final class RedirectRefusal: NSObject, URLSessionTaskDelegate, Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    /// Returns the response, or a description of the transport failure (never
    /// containing request headers).
    static func send(_ request: URLRequest) -> Result<HTTPResponse, TransportFailure> {
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            outcome.set(data: data, response: response, error: error)
            done.signal()
        }
        task.resume()
        // The session enforces the timeout; the extra margin only guards a lost callback.
        if done.wait(timeout: .now() + request.timeoutInterval + 5) == .timedOut {
            task.cancel()
            return .failure(TransportFailure(reason: "no answer within \(Int(request.timeoutInterval)) s"))
        }
        return outcome.result()
    }

    struct TransportFailure: Error, Sendable {
        let reason: String
    }

    /// Hand-off from URLSession's delegate queue to the waiting thread.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var data: Data?
        private var response: URLResponse?
        private var error: (any Error)?

        func set(data: Data?, response: URLResponse?, error: (any Error)?) {
            lock.lock()
            defer { lock.unlock() }
            self.data = data
            self.response = response
            self.error = error
        }

        func result() -> Result<HTTPResponse, TransportFailure> {
            lock.lock()
            defer { lock.unlock() }
            if let error {
                let nsError = error as NSError
                let reason = nsError.code == NSURLErrorTimedOut ? "timed out" : "\(nsError.localizedDescription) (\(nsError.code))"
                return .failure(TransportFailure(reason: reason))
            }
            guard let http = response as? HTTPURLResponse else {
                return .failure(TransportFailure(reason: "no HTTP response"))
            }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
            }
            return .success(HTTPResponse(status: http.statusCode, headers: headers, body: data ?? Data()))
        }
    }
}
