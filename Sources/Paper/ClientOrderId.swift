import Foundation

/// The idempotent client order ids the runner gives a bot's orders — the one home of
/// their format: `<bot>:entry:<signal bar start>` and `<bot>:exit:<exit bar start>`
/// (ISO-8601 UTC). A replay restates the same ids, so a repeated submission returns the
/// first order (submit_paper_order), and a resumed session maps a crashed run's orders
/// back to the bars they were made at.
enum ClientOrderId {
    enum Kind: String { case entry, exit }

    static func make(_ kind: Kind, bot: UUID, barTime: String) -> String {
        "\(bot.uuidString.lowercased()):\(kind.rawValue):\(barTime)"
    }

    /// The bar time of an id of this kind and bot; nil for any other id.
    static func barTime(of id: String, _ kind: Kind, bot: UUID) -> String? {
        let prefix = make(kind, bot: bot, barTime: "")
        return id.hasPrefix(prefix) ? String(id.dropFirst(prefix.count)) : nil
    }
}
