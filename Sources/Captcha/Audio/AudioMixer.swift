/// Mixes the clips of a spoken challenge into one recording a person can
/// follow and a recogniser stumbles on, as dchest/captcha does: each clip at
/// a slightly different speed (and so pitch) and loudness, random pauses
/// between them, and under it all a babble of other clips, reversed and
/// quieter, with a little noise.
public struct AudioMixer: Sendable {
    public let voices: VoiceLibrary

    public init(voices: VoiceLibrary) {
        self.voices = voices
    }

    /// The recording of `names` in `language`, as WAV bytes.
    public func mix(_ names: [String], language: CaptchaLanguage, using random: inout CaptchaRandom) throws(CaptchaError) -> [UInt8] {
        let rate = voices.rate
        var spoken: [[Float]] = []
        for name in names {
            guard let clip = voices.clip(name, language) else { throw .voice("no \(language.rawValue) clip for \(name)") }
            let speed = Float.random(in: 0.88...1.12, using: &random)
            let gain = Float.random(in: 0.75...1.0, using: &random)
            spoken.append(Self.resampled(clip, speed: speed).map { $0 * gain })
        }
        // Layout: a lead-in, then each clip after a random pause.
        var starts: [Int] = []
        var cursor = Int(Float(rate) * Float.random(in: 0.35...0.6, using: &random))
        for clip in spoken {
            starts.append(cursor)
            cursor += clip.count + Int(Float(rate) * Float.random(in: 0.25...0.6, using: &random))
        }
        var track = [Float](repeating: 0, count: cursor)
        // The babble: other clips, reversed, scattered over the whole track.
        let pool = voices.all(language)
        if !pool.isEmpty {
            var position = 0
            while position < track.count {
                let clip = Self.resampled(pool[Int.random(in: 0..<pool.count, using: &random)], speed: Float.random(in: 0.8...1.25, using: &random))
                let gain = Float.random(in: 0.08...0.16, using: &random)
                for (index, sample) in clip.reversed().enumerated() where position + index < track.count {
                    track[position + index] += Float(sample) * gain
                }
                position += max(1, clip.count * 2 / 3)
            }
        }
        for (clip, start) in zip(spoken, starts) {
            for (index, sample) in clip.enumerated() { track[start + index] += sample }
        }
        let samples = track.map { value -> Int16 in
            let noisy = value + Float.random(in: -300...300, using: &random)
            return Int16(max(-32767, min(32767, noisy)))
        }
        return WAV.encode(samples, rate: rate)
    }

    /// The clips one after another with even pauses, nothing else: the
    /// baseline a recogniser is measured against (`upare captcha --audio --plain`).
    public func plain(_ names: [String], language: CaptchaLanguage) throws(CaptchaError) -> [UInt8] {
        let pause = [Int16](repeating: 0, count: voices.rate * 2 / 5)
        var samples = pause
        for name in names {
            guard let clip = voices.clip(name, language) else { throw .voice("no \(language.rawValue) clip for \(name)") }
            samples += clip + pause
        }
        return WAV.encode(samples, rate: voices.rate)
    }

    /// `clip` played `speed` times as fast (linear interpolation).
    static func resampled(_ clip: [Int16], speed: Float) -> [Float] {
        guard clip.count > 1 else { return clip.map(Float.init) }
        let count = max(1, Int(Float(clip.count) / speed))
        return (0..<count).map { index in
            let x = Float(index) * speed
            let left = min(Int(x), clip.count - 1), right = min(left + 1, clip.count - 1)
            let fraction = x - Float(left)
            return Float(clip[left]) * (1 - fraction) + Float(clip[right]) * fraction
        }
    }
}
