/// Finds a key that appears twice in one object of a JSON text. JSONSerialization keeps
/// one of them silently, so `{"botId": A, "botId": B}` would act on whichever it kept:
/// a request that says two things is refused instead (`RequestContext.jsonObject`).
/// The text must already parse as JSON (this scanner does not validate).
enum JSONDuplicateKeys {
    /// The first repeated key, decoded; nil when every object's keys are distinct.
    static func first(in bytes: [UInt8]) -> String? {
        // One frame per open object ({} keys seen, awaiting a key?) or array (nil).
        var frames: [(keys: Set<String>, expectingKey: Bool)?] = []
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "{"): frames.append(([], true))
            case UInt8(ascii: "["): frames.append(nil)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = frames.popLast()
            case UInt8(ascii: ","): if frames.last??.expectingKey == false { frames[frames.count - 1]!.expectingKey = true }
            case UInt8(ascii: ":"): if frames.last! != nil { frames[frames.count - 1]!.expectingKey = false }
            case UInt8(ascii: "\""):
                let start = i
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                if let frame = frames.last, let object = frame, object.expectingKey {
                    let key = decode(Array(bytes[start...min(i, bytes.count - 1)]))
                    if object.keys.contains(key) { return key }
                    frames[frames.count - 1]!.keys.insert(key)
                    frames[frames.count - 1]!.expectingKey = false
                }
            default: break
            }
            i += 1
        }
        return nil
    }

    /// A string token's value with its escapes resolved ("\u0061" and "a" are one key).
    private static func decode(_ token: [UInt8]) -> String {
        guard token.contains(UInt8(ascii: "\\")) else { return String(decoding: token.dropFirst().dropLast(), as: UTF8.self) }
        var out: [UInt8] = []
        var units: [UInt16] = []
        func flush() {
            if !units.isEmpty { out += Array(String(decoding: units, as: UTF16.self).utf8); units = [] }
        }
        var i = 1
        while i < token.count - 1 {
            let b = token[i]
            guard b == UInt8(ascii: "\\"), i + 1 < token.count - 1 else { flush(); out.append(b); i += 1; continue }
            let e = token[i + 1]
            if e == UInt8(ascii: "u"), i + 5 < token.count, let unit = UInt16(String(decoding: token[(i + 2)...(i + 5)], as: UTF8.self), radix: 16) {
                units.append(unit)
                i += 6
                continue
            }
            flush()
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            default: out.append(e)  // \" \\ \/
            }
            i += 2
        }
        flush()
        return String(decoding: out, as: UTF8.self)
    }
}
