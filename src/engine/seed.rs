//! The only place a random-number generator is constructed: replicate j's generator is a
//! function of (seed, j) alone, so results do not depend on threads, scheduling or sharding.
//!
//! The generator is xoshiro256++ (Blackman & Vigna 2021, from `rand_xoshiro`): 256 bits of
//! state, period 2^256 - 1, passes BigCrush and PractRand, and costs about a nanosecond per
//! 64-bit output, which matters because a replicate consumes a few hundred numbers. Its state is
//! built from (seed, j) with the SplitMix64 finalizer, a bijection on 64-bit words, so distinct
//! (seed, j) pairs always give distinct initial states.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator type every replicate uses.
pub type ReplicateRng = Xoshiro256PlusPlus;

/// SplitMix64's output function (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The generator of replicate `j` under master `seed`.
pub fn replicate_rng(seed: u64, j: u64) -> ReplicateRng {
    let s0 = mix(seed ^ 0x9e37_79b9_7f4a_7c15);
    let s1 = mix(j ^ 0xd1b5_4a32_d192_ed03);
    let s2 = mix(s0 ^ s1.rotate_left(23) ^ 0x8cb9_2ba7_2f3d_8dd7);
    let s3 = mix(s0.wrapping_add(s1) ^ 0x5851_f42d_4c95_7f2d);
    let mut bytes = [0u8; 32];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip([s0, s1, s2, s3]) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    Xoshiro256PlusPlus::from_seed(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn value_stability() {
        // Pins the stream: a change here changes every published result.
        let mut rng = replicate_rng(20181205, 0);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        let mut again = replicate_rng(20181205, 0);
        assert_eq!(first, (0..3).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert_ne!(replicate_rng(20181205, 1).next_u64(), first[0]);
        assert_ne!(replicate_rng(20181206, 0).next_u64(), first[0]);
        assert_eq!(
            first,
            [
                17423960219342571613,
                5932766015017900226,
                4825827192507188705
            ]
        );
    }
}
