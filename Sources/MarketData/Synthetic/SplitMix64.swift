import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, fast and fully determined by its seed,
/// so synthetic bars are identical on every machine and run. The system RNG is never used.
struct SplitMix64 {
    private var state: UInt64
    /// Box–Muller yields normals in pairs; the second waits here.
    private var spareNormal: Double?

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        let u1 = 1 - uniform()  // (0, 1]: log stays finite
        let u2 = uniform()
        let radius = (-2 * log(u1)).squareRoot()
        spareNormal = radius * sin(2 * .pi * u2)
        return radius * cos(2 * .pi * u2)
    }

    /// The SplitMix64 finaliser: a bijective avalanche, also used to derive seeds.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a of a string, for seeds derived from symbols.
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h &*= 0x100_0000_01B3
        }
        return mix(h)
    }
}
