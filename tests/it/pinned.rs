//! Pinned results: exact summary values at a fixed seed and replicate count, recorded before
//! any performance work (commit "Shards with exact merge ..."). Optimizations must leave them
//! exactly equal; a deliberate change of the random-number stream must update them and say why.

use crate::common::*;
use crossover_sim::engine::NoProgress;

struct Pin {
    config: &'static str,
    rejected: [u64; 7],
    sum_estimate: [f64; 7],
    stops: &'static [[u64; 4]],
    enrolled: u64,
    completers: u64,
    responders: u64,
}

const PINS: [Pin; 4] = [
    Pin {
        config: "configs/williams2018.toml",
        rejected: [19997, 15939, 15559, 8964, 2000, 14864, 10834],
        sum_estimate: [
            325401.8272545936,
            187470.20541952737,
            187546.69764123834,
            185974.0822635477,
            -650.1048423822504,
            187470.20541952737,
            -9727.075076605426,
        ],
        stops: &[[15119, 0, 0, 0], [4878, 0, 0, 3]],
        enrolled: 373215,
        completers: 279748,
        responders: 161907,
    },
    Pin {
        config: "configs/williams2018_null.toml",
        rejected: [1016, 999, 1036, 1009, 2052, 912, 0],
        sum_estimate: [
            3768.714467906393,
            3.8405669177882373,
            -2.9062715286854655,
            -124.98296841653064,
            -168.87132866727188,
            3.8405669177882373,
            -2.521226307377219,
        ],
        stops: &[[34, 0, 0, 0], [982, 0, 0, 18984]],
        enrolled: 599490,
        completers: 449324,
        responders: 260326,
    },
    Pin {
        config: "configs/validation/paired_d05_n15.toml",
        rejected: [0, 8768, 8683, 2768, 2021, 8371, 0],
        sum_estimate: [
            0.0,
            10043.633680709405,
            10043.794880538946,
            9963.683733800659,
            -160.22229344025254,
            10043.633680709405,
            0.0,
        ],
        stops: &[[8768, 0, 0, 11232]],
        enrolled: 300000,
        completers: 300000,
        responders: 0,
    },
    Pin {
        config: "configs/validation/gs_d05_n30.toml",
        rejected: [0, 14966, 15017, 4933, 0, 14618, 0],
        sum_estimate: [
            0.0,
            10334.725259689381,
            10334.035179500002,
            10296.982709506992,
            0.0,
            10334.725259689381,
            0.0,
        ],
        stops: &[[1871, 0, 0, 0], [13095, 0, 0, 5034]],
        enrolled: 571935,
        completers: 571935,
        responders: 0,
    },
];

#[test]
fn summaries_at_a_fixed_seed_are_unchanged() {
    for pin in &PINS {
        let loaded = load(pin.config, &["simulation.replicates=20000"]);
        let s = crossover_sim::run::simulator(&loaded)
            .unwrap()
            .simulate(0..20_000, &NoProgress);
        // The seven analyses these configs run come first in the registry; analyses added later
        // (the linear models) are not run and stay empty.
        let rejected: Vec<u64> = s.analyses.iter().map(|a| a.rejected).collect();
        assert_eq!(rejected[..7], pin.rejected, "{}: rejections", pin.config);
        let sums: Vec<f64> = s.analyses.iter().map(|a| a.sum_estimate.value()).collect();
        assert_eq!(
            sums[..7],
            pin.sum_estimate,
            "{}: sums of estimates",
            pin.config
        );
        assert!(s.analyses[7..]
            .iter()
            .all(|a| a.analyzed == 0 && a.rejected == 0));
        let stops: Vec<[u64; 4]> = s.looks.iter().map(|l| l.stops).collect();
        assert_eq!(stops, pin.stops, "{}: stops", pin.config);
        assert_eq!(s.enrolled_sum, pin.enrolled, "{}", pin.config);
        assert_eq!(s.completers_sum, pin.completers, "{}", pin.config);
        let responders: u64 = s
            .responders_histogram
            .iter()
            .enumerate()
            .map(|(k, c)| k as u64 * c)
            .sum();
        assert_eq!(responders, pin.responders, "{}", pin.config);
    }
}
