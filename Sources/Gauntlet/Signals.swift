import Foundation

/// Turns SIGTERM, SIGINT and SIGHUP into a callback on a dedicated thread.
/// The signals are blocked in the calling thread first, so every thread
/// started afterwards inherits the mask and only `sigwait` ever sees them —
/// no async-signal-safety puzzles.
enum Signals {
    static func onTermination(_ action: @escaping @Sendable (Int32) -> Void) {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        let watched = set
        let thread = Thread {
            var set = watched
            while true {
                var received: Int32 = 0
                if sigwait(&set, &received) == 0 { action(received) }
            }
        }
        thread.name = "signals"
        thread.start()
    }
}
