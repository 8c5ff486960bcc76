import FCGIHost
import Foundation

/// The activity feed: newest first, by bot and event type, keyset-paged.
enum FeedRoutes {
    static func register(_ router: inout Router) {
        router.get("/api/feed", feed)
    }

    static func feed(_ context: RequestContext) throws -> Response {
        let bot = try context.uuidQuery("botId")
        let limit = try context.limit(default: 50, max: 200)
        var type: String?
        if let text = context.request.query["type"], !text.isEmpty {
            guard text.allSatisfy({ $0.isUppercase || $0 == "_" }) else {
                throw APIError.invalidParameter("type", "'\(text)' is not an event type (UPPER_SNAKE_CASE, e.g. BACKTEST_COMPLETED)")
            }
            type = text
        }
        var before: Int?
        if let text = context.request.query["before"], !text.isEmpty {
            guard let id = Int(text), id > 0 else {
                throw APIError.invalidParameter("before", "'\(text)' is not an event id", fix: "pass nextBefore from the previous page")
            }
            before = id
        }
        return .json(try context.api().feed(bot: bot, type: type, limit: limit, before: before))
    }
}
