import CFastCGI
import Glibc

/// One connection from nginx and libfcgi's request state for it. nginx keeps its
/// connections open between requests (`fastcgi_keep_conn`), so one connection
/// carries many requests, one at a time; a request thread owns it for one request
/// and hands it back.
///
/// The server accepts connections itself (its event loop), so libfcgi never does:
/// the request gets the accepted descriptor as its `ipcFd` and no listening socket
/// (`listen_sock` -1). `FCGX_Accept_r` then reads the next request from that
/// descriptor, and when nginx has closed it, closes it and fails at once instead
/// of blocking in `accept()` on the server's listener. (Both fields sit below
/// fcgiapp.h's "don't use" line; they are libfcgi 2.4's documented struct, and
/// ServerTests drives every path through them.)
final class KeptConnection: @unchecked Sendable {
    /// The event loop's key for this connection.
    let token: UInt64
    let descriptor: Int32
    let request: UnsafeMutablePointer<FCGX_Request>

    init(token: UInt64, descriptor: Int32) {
        self.token = token
        self.descriptor = descriptor
        request = .allocate(capacity: 1)
        FCGX_InitRequest(request, -1, 0)
        request.pointee.ipcFd = descriptor
        // FCGX_Accept_r begins by finishing the previous request, which closes the
        // descriptor unless that request kept the connection; a new one has none.
        request.pointee.keepConnection = 1
    }

    deinit { request.deallocate() }

    /// Reads the next request's parameters; false when the connection has ended
    /// (nginx closed it, or sent something that is not FastCGI), in which case
    /// libfcgi has closed the descriptor.
    func next() -> Bool { FCGX_Accept_r(request) >= 0 }

    /// Sends the end of the request; true while the connection stays open for the
    /// next one (nginx asked to keep it: FCGI_KEEP_CONN).
    func finish() -> Bool {
        FCGX_Finish_r(request)
        return request.pointee.ipcFd >= 0
    }

    /// Closes a connection no request thread holds (a drain that ran out of time),
    /// at once: libfcgi's own close waits up to 2 s for the peer to close first.
    func abandon() {
        FCGX_Free(request, 0)
        close(descriptor)
    }
}
