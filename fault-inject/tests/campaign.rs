//! Campaign behaviour: classification, resume, shard + merge, replay, refusals.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use wasmrel_executor::Value;
use wasmrel_fault_inject::campaign::{read_campaign, read_results, RESULTS};
use wasmrel_fault_inject::golden::{inject, Golden, Record};
use wasmrel_fault_inject::merge::merge;
use wasmrel_fault_inject::{
    App, Campaign, CampaignOptions, Class, Fault, Label, MemoryProtection, Mode, Shard,
};

/// A loop of ~2000 instructions; the global is read at the end only if `live`.
fn loop_app(live: bool) -> App {
    let result = if live {
        "local.get $y global.get $g i32.add"
    } else {
        "local.get $y"
    };
    let text = format!(
        r#"(module
          (global $g (mut i32) (i32.const 0))
          (func (export "run") (param $n i32) (result i32) (local $y i32)
            i32.const 1000 global.set $g
            (block (loop
              local.get $y local.get $n i32.add local.set $y
              local.get $n i32.const 1 i32.sub local.tee $n
              br_if 0))
            {result}))"#
    );
    let bytes = wat::parse_str(text).unwrap();
    App::new(
        "loop.wat",
        bytes,
        vec![],
        Some(("run".into(), vec![Value::I32(200)])),
    )
    .unwrap()
}

fn options(mode: Mode, faults: u64) -> CampaignOptions {
    CampaignOptions {
        mode,
        faults,
        seed: 11,
        bits: 1,
        hang_factor: 10,
        sampling: wasmrel_fault_inject::Sampling::Equal,
        jobs: 2,
        shard: Shard::WHOLE,
        progress: false,
        stop_after: None,
        checkpoints: CHECKPOINTS,
    }
}

/// Checkpoints of golden runs in these tests (the campaigns run with them, as by default).
const CHECKPOINTS: u64 = 16;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wasmrel-fi-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn flipped_bit(trace: &str) -> u32 {
    trace
        .split("bits [")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

fn global_fault(app: &App, golden: &Golden, id: u64) -> Fault {
    let mut fault = Fault::derive(5, id, &[Class::Global], golden.length, 1);
    fault.t = golden.length / 2;
    let _ = app;
    fault
}

#[test]
fn a_flip_in_a_live_encoded_value_is_detected() {
    let app = loop_app(true);
    let golden = Golden::record(&app, Mode::Encoded, CHECKPOINTS).unwrap();
    let mut high_half = 0;
    for id in 0..40 {
        let (record, progress) = inject(
            &app,
            Mode::Encoded,
            &golden,
            global_fault(&app, &golden, id),
            10,
        );
        let trace = progress.trace.unwrap();
        // Every bit of the 128-bit slot counts: an i32 code word lives in the low 64 bits,
        // and the upper half is folded into the word when it is read.
        assert_eq!(record.outcome, Label::DetectedAn, "{trace}");
        high_half += u32::from(flipped_bit(&trace) >= 64);
    }
    assert!(high_half > 5);
}

#[test]
fn a_flip_in_a_live_plain_value_is_silent_corruption() {
    let app = loop_app(true);
    let golden = Golden::record(&app, Mode::Plain, CHECKPOINTS).unwrap();
    let mut low_bits = 0;
    for id in 0..40 {
        let (record, progress) = inject(
            &app,
            Mode::Plain,
            &golden,
            global_fault(&app, &golden, id),
            10,
        );
        let trace = progress.trace.unwrap();
        // Bits 32..63 of a plain slot are not part of an i32: flipping them is harmless.
        let bit = flipped_bit(&trace);
        let expected = if bit < 32 { Label::Sdc } else { Label::Benign };
        low_bits += u32::from(bit < 32);
        assert_eq!(record.outcome, expected, "{trace}");
    }
    assert!(low_bits > 5);
}

#[test]
fn a_flip_in_a_dead_value_is_benign() {
    let app = loop_app(false);
    for mode in [Mode::Plain, Mode::Encoded, Mode::Dual] {
        let golden = Golden::record(&app, mode, CHECKPOINTS).unwrap();
        for id in 0..10 {
            let (record, progress) =
                inject(&app, mode, &golden, global_fault(&app, &golden, id), 10);
            assert_eq!(record.outcome, Label::Benign, "{mode:?} {progress:?}");
        }
    }
}

#[test]
fn dual_execution_detects_a_flip_in_either_replica() {
    let app = loop_app(true);
    let golden = Golden::record(&app, Mode::Dual, CHECKPOINTS).unwrap();
    for class in [Class::Local, Class::Replica] {
        let mut detected = 0;
        for id in 0..30 {
            let mut fault = Fault::derive(3, id, &[class], golden.length, 1);
            fault.t = golden.length / 3;
            let (record, progress) = inject(&app, Mode::Dual, &golden, fault, 10);
            assert_ne!(record.outcome, Label::Sdc, "{:?}", progress.trace);
            detected += u32::from(record.outcome == Label::DetectedDual);
        }
        // Half the bits of a slot are outside an i32, and operand slots are mostly dead.
        assert!(detected > 2, "{class:?}: {detected}");
    }
}

fn sorted(dir: &Path) -> Vec<Record> {
    let mut records = read_results(dir, false).unwrap();
    records.sort_by_key(|r| r.id);
    records
}

#[test]
fn an_interrupted_campaign_resumes_without_loss_or_double_counting() {
    let whole = temp("whole");
    let opts = options(Mode::Plain, 120);
    Campaign::open(loop_app(true), &opts, &whole)
        .unwrap()
        .run(&opts)
        .unwrap();

    let dir = temp("resumed");
    let stopping = CampaignOptions {
        stop_after: Some(37),
        ..opts.clone()
    };
    let mut campaign = Campaign::open(loop_app(true), &stopping, &dir).unwrap();
    assert_eq!(campaign.run(&stopping).unwrap(), 37);
    assert_eq!(read_results(&dir, false).unwrap().len(), 37);
    // A kill in the middle of a write leaves a partial last line.
    let path = dir.join(RESULTS);
    let mut text = fs::read(&path).unwrap();
    text.extend_from_slice(b"{\"id\":9");
    fs::write(&path, text).unwrap();

    let mut campaign = Campaign::open(loop_app(true), &opts, &dir).unwrap();
    assert_eq!(campaign.done.len(), 37);
    assert_eq!(campaign.run(&opts).unwrap(), 120 - 37);
    assert_eq!(sorted(&dir), sorted(&whole));
    // Nothing left: a third run adds nothing.
    let mut campaign = Campaign::open(loop_app(true), &opts, &dir).unwrap();
    assert_eq!(campaign.run(&opts).unwrap(), 0);
    assert_eq!(read_results(&dir, false).unwrap().len(), 120);
}

/// Runs the campaign `opts` of `loop_app(true)` whole in the new directory `name`.
fn run_whole(opts: &CampaignOptions, name: &str) -> PathBuf {
    let dir = temp(name);
    Campaign::open(loop_app(true), opts, &dir)
        .unwrap()
        .run(opts)
        .unwrap();
    dir
}

/// Runs the campaign `opts` of `loop_app(true)` as `count` shards of one thread each, in
/// directories `name0`, `name1`…
fn run_shards(opts: &CampaignOptions, count: u64, name: &str) -> Vec<PathBuf> {
    (0..count)
        .map(|index| {
            let shard_opts = CampaignOptions {
                shard: Shard { index, count },
                jobs: 1,
                ..opts.clone()
            };
            run_whole(&shard_opts, &format!("{name}{index}"))
        })
        .collect()
}

#[test]
fn shards_merged_equal_one_run() {
    let opts = options(Mode::Dual, 90);
    let whole = run_whole(&opts, "single");
    let shards = run_shards(&opts, 3, "shard");
    let out = temp("merged");
    let (count, incomplete) = merge(&shards, &out).unwrap();
    assert_eq!((count, incomplete.len()), (90, 0));
    assert_eq!(sorted(&out), sorted(&whole));
    assert!(read_campaign(&out)
        .unwrap()
        .same_campaign(&read_campaign(&whole).unwrap()));
    // Merging again into the same directory, or a shard twice, is refused.
    assert!(merge(&shards, &out).unwrap_err().contains("already exists"));
    let twice = [shards[0].clone(), shards[0].clone()];
    assert!(merge(&twice, &temp("twice"))
        .unwrap_err()
        .contains("two shards"));
}

#[test]
fn replay_reproduces_recorded_outcomes() {
    let opts = options(Mode::Plain, 60);
    let dir = temp("replay");
    let mut campaign = Campaign::open(loop_app(true), &opts, &dir).unwrap();
    campaign.run(&opts).unwrap();
    let records = sorted(&dir);
    let labels: std::collections::BTreeSet<_> = records.iter().map(|r| r.outcome).collect();
    assert!(labels.len() >= 3, "{labels:?}");
    for record in &records {
        let (again, _) = inject(
            &campaign.app,
            Mode::Plain,
            &campaign.golden,
            campaign.fault(record.id),
            10,
        );
        assert_eq!(&again, record);
    }
}

#[test]
fn bad_campaign_directories_and_inputs_are_refused() {
    let opts = options(Mode::Plain, 10);
    let dir = temp("refuse");
    Campaign::open(loop_app(true), &opts, &dir)
        .unwrap()
        .run(&opts)
        .unwrap();
    let before = fs::read(dir.join(RESULTS)).unwrap();
    let other_seed = CampaignOptions {
        seed: 12,
        ..opts.clone()
    };
    let error = Campaign::open(loop_app(true), &other_seed, &dir)
        .err()
        .unwrap();
    assert!(error.contains("seed 11, not 12"), "{error}");
    let other_mode = CampaignOptions {
        mode: Mode::Dual,
        ..opts.clone()
    };
    assert!(Campaign::open(loop_app(true), &other_mode, &dir)
        .err()
        .unwrap()
        .contains("mode plain, not dual"));
    let error = Campaign::open(loop_app(false), &opts, &dir).err().unwrap();
    assert!(error.contains("module loop.wat (sha256 "), "{error}");
    assert!(error.contains("the bytes differ"), "{error}");
    assert_eq!(fs::read(dir.join(RESULTS)).unwrap(), before);

    // A corrupted complete line is an error naming it; the file stays as it was.
    let mut text = before.clone();
    text.extend_from_slice(b"garbage\n");
    fs::write(dir.join(RESULTS), &text).unwrap();
    let error = Campaign::open(loop_app(true), &opts, &dir).err().unwrap();
    assert!(error.contains("line 11 is corrupted"), "{error}");
    assert_eq!(fs::read(dir.join(RESULTS)).unwrap(), text);

    assert!(Shard::parse("3/2").unwrap_err().contains("below the count"));
    assert!(Shard::parse("1/0").is_err());
    assert_eq!(Shard::parse("1/2"), Ok(Shard { index: 1, count: 2 }));

    let trapping = wat::parse_str(r#"(module (func (export "run") unreachable))"#).unwrap();
    let app = App::new("trap.wat", trapping, vec![], Some(("run".into(), vec![]))).unwrap();
    let error = Campaign::open(app, &opts, &temp("trap")).err().unwrap();
    assert!(
        error.contains("golden run failed: trap: unreachable"),
        "{error}"
    );
    assert!(!temp("trap").exists());
}

#[test]
fn reports_extrapolate_and_compare_with_plain() {
    let mut dirs = Vec::new();
    for mode in [Mode::Plain, Mode::Dual] {
        let opts = options(mode, 80);
        let dir = temp(&format!("report-{}", mode.as_str()));
        Campaign::open(loop_app(true), &opts, &dir)
            .unwrap()
            .run(&opts)
            .unwrap();
        dirs.push(dir);
    }
    let report = wasmrel_fault_inject::report::analyse(&dirs).unwrap();
    let [plain, dual] = &report.campaigns[..] else {
        panic!("two campaigns expected");
    };
    assert_eq!(plain.counts.values().sum::<u64>(), 80);
    assert!(plain.counts[&Label::Sdc] > 0 && plain.reduction.is_none());
    assert!(!dual.counts.contains_key(&Label::Sdc));
    let reduction = dual.reduction.unwrap();
    assert!(reduction.factor.is_infinite());
    // Zero SDCs in 10 samples per class: the joint bound is ln 20 times the largest
    // class space per sample (all classes have 10 samples here).
    let widest = report
        .classes
        .iter()
        .filter(|r| r.mode == Mode::Dual)
        .map(|r| {
            assert_eq!(r.samples, 10);
            r.fault_space
        })
        .fold(0.0, f64::max);
    let joint = 20f64.ln() * widest / 10.0;
    assert!((dual.extrapolated_sdc_high - joint).abs() < 1e-6 * joint);
    // Tighter than the sum of the classes' own bounds.
    let bound = 1.0 - 0.05f64.powf(0.1);
    let sum: f64 = report
        .classes
        .iter()
        .filter(|r| r.mode == Mode::Dual)
        .map(|r| bound * r.fault_space)
        .sum();
    assert!(joint < sum);
    assert!((reduction.bound - plain.extrapolated_sdc_low / joint).abs() < 1e-9 * reduction.bound);
    let out = temp("report-out");
    wasmrel_fault_inject::report::write(&report, &out).unwrap();
    let markdown = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        markdown.contains("| loop.wat:run | dual (plain,inverted) | equal | 80 | 0 |"),
        "{markdown}"
    );
    let csv = fs::read_to_string(out.join("classes.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 7 + 8);
}

#[test]
fn encoded_runs_detect_signature_and_memory_flips() {
    let app = loop_app(true);
    let golden = Golden::record(&app, Mode::Encoded, CHECKPOINTS).unwrap();
    for id in 0..20 {
        let mut fault = Fault::derive(4, id, &[Class::Signature], golden.length, 1);
        fault.t = golden.length / 2;
        let (record, progress) = inject(&app, Mode::Encoded, &golden, fault, 10);
        assert_eq!(
            record.outcome,
            Label::DetectedSignature,
            "{:?}",
            progress.trace
        );
    }
    let app = memory_app(None);
    let labels = memory_flip_outcomes(&app, 40);
    assert!(!labels.contains(&Label::Sdc), "{labels:?}");
    assert!(labels.contains(&Label::DetectedMemory), "{labels:?}");
}

/// Every byte of a page is written, then read back and summed: a flip in memory between the
/// two loops changes the result unless the memory's protection catches it.
fn memory_app(protection: Option<MemoryProtection>) -> App {
    let text = r#"(module (memory 1)
      (func (export "run") (result i32) (local $i i32) (local $sum i32)
        (block (loop
          local.get $i local.get $i i32.store8
          local.get $i i32.const 1 i32.add local.tee $i
          i32.const 65536 i32.ne br_if 0))
        i32.const 0 local.set $i
        (block (loop
          local.get $sum local.get $i i32.load8_u i32.add local.set $sum
          local.get $i i32.const 1 i32.add local.tee $i
          i32.const 65536 i32.ne br_if 0))
        local.get $sum))"#;
    let bytes = wat::parse_str(text).unwrap();
    let mut app = App::new("mem.wat", bytes, vec![], Some(("run".into(), vec![]))).unwrap();
    app.config.memory_protection = protection.map(MemoryProtection::protection);
    app
}

/// The outcomes of `count` encoded runs of `app`, each with one bit of memory flipped halfway.
fn memory_flip_outcomes(app: &App, count: u64) -> BTreeSet<Label> {
    let golden = Golden::record(app, Mode::Encoded, CHECKPOINTS).unwrap();
    (0..count)
        .map(|id| {
            let mut fault = Fault::derive(4, id, &[Class::Memory], golden.length, 1);
            fault.t = golden.length / 2;
            inject(app, Mode::Encoded, &golden, fault, 10).0.outcome
        })
        .collect()
}

#[test]
fn memory_protection_is_honoured_recorded_and_kept_on_resume() {
    // Honoured: without protection the flips become wrong results, with a shadow copy they
    // are detected (crc, the default, in the test above).
    let labels = memory_flip_outcomes(&memory_app(Some(MemoryProtection::None)), 20);
    assert!(labels.contains(&Label::Sdc), "{labels:?}");
    assert!(!labels.contains(&Label::DetectedMemory), "{labels:?}");
    let labels = memory_flip_outcomes(&memory_app(Some(MemoryProtection::Dup)), 20);
    assert!(!labels.contains(&Label::Sdc), "{labels:?}");
    assert!(labels.contains(&Label::DetectedMemory), "{labels:?}");

    // Recorded in campaign.json, and a resume with another protection is refused.
    let opts = options(Mode::Encoded, 2);
    let dir = temp("memory-protection");
    let app = memory_app(Some(MemoryProtection::Dup));
    Campaign::open(app, &opts, &dir)
        .unwrap()
        .run(&opts)
        .unwrap();
    let recorded = read_campaign(&dir).unwrap().spec.memory_protection;
    assert_eq!(recorded, Some(MemoryProtection::Dup));
    let error = Campaign::open(memory_app(None), &opts, &dir).err().unwrap();
    assert!(
        error.contains("(memory protection dup, not crc)"),
        "{error}"
    );
    assert!(Campaign::open(memory_app(Some(MemoryProtection::Dup)), &opts, &dir).is_ok());
    // Other modes record none.
    let plain = temp("memory-protection-plain");
    let opts = options(Mode::Plain, 1);
    Campaign::open(memory_app(None), &opts, &plain).unwrap();
    assert_eq!(read_campaign(&plain).unwrap().spec.memory_protection, None);
}

/// A WASI program that keeps state in memory and writes, reads the clock and draws random
/// bytes as it goes: what a checkpoint must restore.
fn wasi_app(second: wasmrel_fault_inject::Second) -> App {
    let text = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "tick\n")
      (func (export "run") (result i32) (local $i i32) (local $sum i32)
        (i32.store (i32.const 0) (i32.const 16))
        (i32.store (i32.const 4) (i32.const 5))
        (block (loop
          (i32.store (i32.add (i32.const 1024) (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 2)))
            (i32.add (local.get $i)
              (i32.load (i32.add (i32.const 1024) (i32.shl (i32.and (local.get $i) (i32.const 255)) (i32.const 2))))))
          (if (i32.eqz (i32.and (local.get $i) (i32.const 63)))
            (then
              (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
              (drop (call $clock (i32.const 1) (i64.const 1) (i32.const 32)))
              (drop (call $random (i32.const 40) (i32.const 4)))
              (local.set $sum (i32.add (local.get $sum)
                (i32.add (i32.load (i32.const 32)) (i32.load (i32.const 40)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if 0 (i32.lt_u (local.get $i) (i32.const 400)))))
        (local.set $i (i32.const 0))
        (block (loop
          (local.set $sum (i32.add (local.get $sum) (i32.load (i32.add (i32.const 1024) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if 0 (i32.lt_u (local.get $i) (i32.const 1024)))))
        (local.get $sum)))"#;
    let bytes = wat::parse_str(text).unwrap();
    let mut app = App::new("wasi.wat", bytes, vec![], Some(("run".into(), vec![]))).unwrap();
    app.second = second;
    app
}

/// The records with the instruction count of runs that ended in an engine error cleared:
/// after an error the engine reports the count of its last pause, not of the failing
/// instruction, and checkpoints add pauses. Every other field must match exactly.
fn without_error_fuel(records: Vec<Record>) -> Vec<Record> {
    let ended_normally = [
        Label::Benign,
        Label::Latent,
        Label::Sdc,
        Label::DetectedDual,
    ];
    records
        .into_iter()
        .map(|r| Record {
            fuel: if ended_normally.contains(&r.outcome) {
                r.fuel
            } else {
                0
            },
            ..r
        })
        .collect()
}

#[test]
fn checkpoints_give_exactly_the_outcomes_of_full_runs() {
    use wasmrel_fault_inject::Second;
    let setups = [
        (Mode::Plain, Second::Inverted),
        (Mode::Encoded, Second::Inverted),
        (Mode::Dual, Second::Inverted),
        (Mode::Dual, Second::Encoded),
    ];
    for (mode, second) in setups {
        let mut results = Vec::new();
        for checkpoints in [0, 16] {
            let opts = CampaignOptions {
                checkpoints,
                ..options(mode, 160)
            };
            let dir = temp(&format!("ckpt-{}-{second:?}-{checkpoints}", mode.as_str()));
            let mut campaign = Campaign::open(wasi_app(second), &opts, &dir).unwrap();
            campaign.run(&opts).unwrap();
            if checkpoints > 0 {
                assert!(campaign.restarted > 100, "{mode:?}: {}", campaign.restarted);
                assert!(
                    campaign.ended_early > 10,
                    "{mode:?}: {}",
                    campaign.ended_early
                );
            } else {
                assert_eq!((campaign.restarted, campaign.ended_early), (0, 0));
            }
            results.push(without_error_fuel(sorted(&dir)));
        }
        assert_eq!(results[0], results[1], "{mode:?} {second:?}");
        let labels: std::collections::BTreeSet<_> = results[0].iter().map(|r| r.outcome).collect();
        assert!(labels.len() >= 3, "{mode:?}: {labels:?}");
    }
}

#[test]
fn a_flip_overwritten_before_use_ends_early_at_a_checkpoint_as_benign() {
    // The global is rewritten every iteration and never read: a flip in it is gone at the
    // next iteration, and the run's state equals the golden run's at the next checkpoint.
    let text = r#"(module
      (global $g (mut i32) (i32.const 0))
      (func (export "run") (param $n i32) (result i32) (local $y i32)
        (block (loop
          local.get $n global.set $g
          local.get $y local.get $n i32.add local.set $y
          local.get $n i32.const 1 i32.sub local.tee $n
          br_if 0))
        local.get $y))"#;
    let bytes = wat::parse_str(text).unwrap();
    let args = vec![Value::I32(300)];
    let app = App::new("dead.wat", bytes, vec![], Some(("run".into(), args))).unwrap();
    let golden = Golden::record(&app, Mode::Plain, CHECKPOINTS).unwrap();
    let full_golden = Golden::record(&app, Mode::Plain, 0).unwrap();
    for id in 0..10 {
        let mut fault = Fault::derive(5, id, &[Class::Global], golden.length, 1);
        fault.t = golden.length / 2 + id;
        let (record, progress) = inject(&app, Mode::Plain, &golden, fault.clone(), 10);
        assert!(progress.restarted && progress.early, "{progress:?}");
        assert_eq!(record.outcome, Label::Benign);
        assert_eq!(record.fuel, golden.length);
        let (full, full_progress) = inject(&app, Mode::Plain, &full_golden, fault, 10);
        assert!(!full_progress.restarted && !full_progress.early);
        assert_eq!(record, full);
    }
    // A live flip never equals the golden state again: it runs to its end.
    let live = loop_app(true);
    let golden = Golden::record(&live, Mode::Plain, CHECKPOINTS).unwrap();
    for id in 0..20 {
        let fault = global_fault(&live, &golden, id);
        let (record, progress) = inject(&live, Mode::Plain, &golden, fault, 10);
        assert!(progress.restarted);
        if flipped_bit(progress.trace.as_deref().unwrap()) < 32 {
            assert!(
                !progress.early && record.outcome == Label::Sdc,
                "{progress:?}"
            );
        }
    }
}

#[test]
fn fault_space_sampling_extrapolates_the_campaign_as_one_sample() {
    let opts = fault_space(Mode::Encoded, 120);
    let dir = temp("fault-space");
    Campaign::open(loop_app(true), &opts, &dir)
        .unwrap()
        .run(&opts)
        .unwrap();
    let records = sorted(&dir);
    // Classes follow their bits: 128-bit slots far more often than 1-bit branches.
    let of = |class| records.iter().filter(|r| r.class == class).count();
    assert!(of(Class::Local) > 3 * of(Class::Branch), "{records:?}");
    let report = wasmrel_fault_inject::report::analyse(std::slice::from_ref(&dir)).unwrap();
    let campaign = &report.campaigns[0];
    let space: f64 = report.classes.iter().map(|r| r.fault_space).sum();
    let sdc = campaign.counts.get(&Label::Sdc).copied().unwrap_or(0);
    let e = wasmrel_fault_inject::stats::estimate(sdc, 120);
    assert!((campaign.extrapolated_sdc - e.fraction * space).abs() <= 1e-9 * space);
    assert!((campaign.extrapolated_sdc_high - e.high * space).abs() <= 1e-9 * space);
}

#[test]
fn granted_directories_are_copied_per_run_and_their_contents_observed() {
    // Writes "x" 30 times into data/out.txt, computing each byte in a loop.
    let text = r#"(module
      (import "wasi_snapshot_preview1" "path_open" (func $open
        (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 64) "out.txt")
      (func (export "run") (result i32) (local $i i32) (local $fd i32)
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 7)
          (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 8)))
        (local.set $fd (i32.load (i32.const 8)))
        (block (loop
          (i32.store8 (i32.const 100) (i32.add (i32.const 100) (i32.rem_u (local.get $i) (i32.const 20))))
          (i32.store (i32.const 0) (i32.const 100))
          (i32.store (i32.const 4) (i32.const 1))
          (drop (call $write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 16)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if 0 (i32.lt_u (local.get $i) (i32.const 30)))))
        (i32.const 0)))"#;
    let grant = temp("grant");
    fs::create_dir_all(&grant).unwrap();
    fs::write(grant.join("input.txt"), "kept").unwrap();
    let bytes = wat::parse_str(text).unwrap();
    let mut app = App::new("files.wat", bytes, vec![], Some(("run".into(), vec![]))).unwrap();
    app.dirs.push((grant.clone(), "data".to_owned()));
    let mut results = Vec::new();
    for checkpoints in [0, 16] {
        let opts = CampaignOptions {
            checkpoints,
            ..options(Mode::Plain, 70)
        };
        let dir = temp(&format!("files-{checkpoints}"));
        let campaign = Campaign::open(app_clone(&app), &opts, &dir).unwrap();
        assert!(campaign.golden.observed.files.is_some());
        let mut campaign = campaign;
        campaign.run(&opts).unwrap();
        results.push(without_error_fuel(sorted(&dir)));
        assert!(read_campaign(&dir).unwrap().spec.dirs[0].ends_with("::data"));
    }
    assert_eq!(results[0], results[1]);
    // Some faults change only what the file holds: SDCs seen in the files alone.
    let files_only = results[0]
        .iter()
        .filter(|r| {
            r.detail
                .as_deref()
                .is_some_and(|d| d.starts_with("files differ"))
        })
        .count();
    assert!(files_only > 0, "{:?}", results[0]);
    // The granted directory itself is untouched: every run wrote into its own copy.
    let names: Vec<_> = fs::read_dir(&grant)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["input.txt"]);
}

fn app_clone(app: &App) -> App {
    let mut copy = App::new(&app.name, app.bytes.clone(), vec![], app.invoke.clone()).unwrap();
    copy.dirs.clone_from(&app.dirs);
    copy
}

#[test]
fn a_campaign_resumed_with_more_faults_grows_into_the_larger_one() {
    let whole = temp("grow-whole");
    let opts = options(Mode::Plain, 90);
    Campaign::open(loop_app(true), &opts, &whole)
        .unwrap()
        .run(&opts)
        .unwrap();
    let dir = temp("grow");
    let small = options(Mode::Plain, 40);
    Campaign::open(loop_app(true), &small, &dir)
        .unwrap()
        .run(&small)
        .unwrap();
    let mut grown = Campaign::open(loop_app(true), &opts, &dir).unwrap();
    assert_eq!((grown.done.len(), grown.pending().len()), (40, 50));
    assert_eq!(grown.run(&opts).unwrap(), 50);
    assert_eq!(sorted(&dir), sorted(&whole));
    assert_eq!(read_campaign(&dir).unwrap().spec.faults, 90);
    // Shrinking is another campaign.
    let error = Campaign::open(loop_app(true), &small, &dir).err().unwrap();
    assert!(error.contains("faults 90"), "{error}");
}

/// The Markdown of `report`, written into the new directory `name`.
fn report_markdown(report: &wasmrel_fault_inject::report::Report, name: &str) -> String {
    let out = temp(name);
    wasmrel_fault_inject::report::write(report, &out).unwrap();
    fs::read_to_string(out.join("report.md")).unwrap()
}

/// A campaign sampled uniformly over the whole fault space.
fn fault_space(mode: Mode, faults: u64) -> CampaignOptions {
    CampaignOptions {
        sampling: wasmrel_fault_inject::Sampling::FaultSpace,
        ..options(mode, faults)
    }
}

fn stratum(mode: Mode, class: Class, faults: u64) -> CampaignOptions {
    CampaignOptions {
        sampling: wasmrel_fault_inject::Sampling::Class(class),
        ..options(mode, faults)
    }
}

#[test]
fn a_stratified_campaign_draws_every_fault_in_its_class_from_seed_and_id() {
    let opts = stratum(Mode::Encoded, Class::Branch, 50);
    let dir = temp("stratum");
    let mut campaign = Campaign::open(loop_app(true), &opts, &dir).unwrap();
    assert_eq!(campaign.file.spec.classes, [Class::Branch]);
    campaign.run(&opts).unwrap();
    let records = sorted(&dir);
    assert_eq!(records.len(), 50);
    assert!(records.iter().all(|r| r.class == Class::Branch));
    // Another open of the same campaign derives the same faults; replays agree.
    let again = Campaign::open(loop_app(true), &opts, &dir).unwrap();
    for record in &records {
        let fault = again.fault(record.id);
        assert_eq!((fault.class, fault.t), (record.class, record.t));
        let (replayed, _) = inject(&again.app, Mode::Encoded, &again.golden, fault, 10);
        assert_eq!(&replayed, record);
    }
    // The class is mixed into the seed: the same ids of a stratum of another class, and
    // of an equal-sampled campaign, fall at other times.
    let other = Campaign::open(
        loop_app(true),
        &stratum(Mode::Encoded, Class::Stack, 50),
        &temp("stratum-other"),
    )
    .unwrap();
    let equal = Campaign::open(
        loop_app(true),
        &options(Mode::Encoded, 50),
        &temp("stratum-equal"),
    )
    .unwrap();
    let same_t = |c: &Campaign| records.iter().filter(|r| c.fault(r.id).t == r.t).count();
    assert!(same_t(&other) <= 2 && same_t(&equal) <= 2);
    // A class the mode does not have is refused.
    let error = Campaign::open(
        loop_app(true),
        &stratum(Mode::Plain, Class::Signature, 5),
        &temp("stratum-bad"),
    )
    .err()
    .unwrap();
    assert!(error.contains("no such class"), "{error}");
}

#[test]
fn a_stratified_campaign_shards_merges_and_resumes_like_a_whole_run() {
    let opts = stratum(Mode::Dual, Class::Pc, 60);
    let whole = run_whole(&opts, "stratum-whole");
    let shards = run_shards(&opts, 2, "stratum-shard");
    let merged = temp("stratum-merged");
    assert_eq!(merge(&shards, &merged).unwrap(), (60, vec![]));
    assert_eq!(sorted(&merged), sorted(&whole));

    let resumed = temp("stratum-resumed");
    let stopping = CampaignOptions {
        stop_after: Some(23),
        ..opts.clone()
    };
    let mut campaign = Campaign::open(loop_app(true), &stopping, &resumed).unwrap();
    assert_eq!(campaign.run(&stopping).unwrap(), 23);
    let mut campaign = Campaign::open(loop_app(true), &opts, &resumed).unwrap();
    assert_eq!(campaign.run(&opts).unwrap(), 60 - 23);
    assert_eq!(sorted(&resumed), sorted(&whole));
    // A stratum of another class is another campaign.
    let error = Campaign::open(
        loop_app(true),
        &stratum(Mode::Dual, Class::Code, 60),
        &whole,
    )
    .err()
    .unwrap();
    assert!(
        error.contains("sampling class:pc, not class:code"),
        "{error}"
    );
}

#[test]
fn reports_pool_a_stratum_into_its_class_of_the_whole_campaign() {
    let plain = run_whole(&options(Mode::Plain, 70), "pool-plain");
    let whole_opts = fault_space(Mode::Dual, 40);
    let whole = run_whole(&whole_opts, "pool-whole");
    let branch = run_whole(&stratum(Mode::Dual, Class::Branch, 30), "pool-branch");
    // Another seed is another campaign: its stratum keeps a row of its own.
    let stray_opts = CampaignOptions {
        seed: 12,
        ..stratum(Mode::Dual, Class::Branch, 10)
    };
    let stray = run_whole(&stray_opts, "pool-stray");
    let alone = wasmrel_fault_inject::report::analyse(&[plain.clone(), whole.clone()]).unwrap();
    let pooled =
        wasmrel_fault_inject::report::analyse(&[plain, branch, whole, stray.clone()]).unwrap();
    let row = |report: &wasmrel_fault_inject::report::Report| {
        report
            .classes
            .iter()
            .find(|r| r.mode == Mode::Dual && r.class == Class::Branch)
            .cloned()
            .unwrap()
    };
    let (before, after) = (row(&alone), row(&pooled));
    assert_eq!(after.samples, before.samples + 30);
    assert_eq!(after.stratified_samples, 30);
    // The whole campaign's golden time defines the class's space.
    assert_eq!(after.fault_space, before.fault_space);
    let sdc = after.counts.get(&Label::Sdc).copied().unwrap_or(0);
    let e = wasmrel_fault_inject::stats::estimate(sdc, after.samples);
    assert!((after.extrapolated_sdc_high - e.high * after.fault_space).abs() < 1e-9);
    assert!(after.plain_extrapolated_sdc.is_some() && after.reduction.is_some());
    // The other classes and the whole campaign's totals are as without the stratum.
    let dual_rows = |r: &wasmrel_fault_inject::report::Report| {
        r.classes.iter().filter(|r| r.mode == Mode::Dual).count()
    };
    assert_eq!(dual_rows(&pooled), dual_rows(&alone) + 1);
    let total = |r: &wasmrel_fault_inject::report::Report| {
        r.campaigns
            .iter()
            .find(|c| c.sampling == wasmrel_fault_inject::Sampling::FaultSpace)
            .map(|c| (c.samples, c.extrapolated_sdc_high))
            .unwrap()
    };
    assert_eq!(total(&pooled), total(&alone));
    // A stratum's own total is not compared with plain's whole campaign.
    let strata: Vec<_> = pooled
        .campaigns
        .iter()
        .filter(|c| matches!(c.sampling, wasmrel_fault_inject::Sampling::Class(_)))
        .collect();
    assert_eq!(strata.len(), 2);
    assert!(strata.iter().all(|c| c.reduction.is_none()));
    let out = temp("pool-out");
    wasmrel_fault_inject::report::write(&pooled, &out).unwrap();
    let markdown = fs::read_to_string(out.join("report.md")).unwrap();
    let expected = format!(
        "| loop.wat:run | dual (plain,inverted) | branch | {} (+ 30 stratified) | {sdc} |",
        after.samples
    );
    assert!(markdown.contains(&expected), "{markdown}");
    // Strata are listed on their own, not among the whole campaigns' totals.
    assert!(markdown.contains("## Campaigns restricted to one class\n\n2 campaigns"));
    assert!(!markdown.contains("| class:branch |"), "{markdown}");
    // An encoded campaign recorded before --memory-protection existed (no such field, crc)
    // takes the strata of the same campaign recorded with it.
    let encoded_whole = fault_space(Mode::Encoded, 20);
    let old = run_whole(&encoded_whole, "pool-old-encoded");
    let meta = old.join("campaign.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&meta).unwrap()).unwrap();
    assert!(json
        .as_object_mut()
        .unwrap()
        .remove("memory_protection")
        .is_some());
    fs::write(&meta, json.to_string()).unwrap();
    let pc = run_whole(&stratum(Mode::Encoded, Class::Pc, 10), "pool-new-pc");
    let report = wasmrel_fault_inject::report::analyse(&[old, pc]).unwrap();
    let pooled = report
        .classes
        .iter()
        .find(|r| r.class == Class::Pc)
        .unwrap();
    assert_eq!(pooled.stratified_samples, 10);
    assert_eq!(report.classes.len(), 8);
    // CSV fields with commas are quoted: every line has the header's field count.
    let csv = fs::read_to_string(out.join("classes.csv")).unwrap();
    let fields = |line: &str| {
        line.split('"')
            .step_by(2)
            .map(|s| s.matches(',').count())
            .sum::<usize>()
    };
    let header = fields(csv.lines().next().unwrap());
    assert!(csv.lines().all(|line| fields(line) == header), "{csv}");
}

/// A loop whose exit test is an `i64` compare-and-branch (fused `BrIfI64LtUImm`): branch
/// faults must find and invert it in every mode. Sending the loop the other way ends it early
/// (or runs it on): plain returns a wrong count, encoded and dual detect it.
#[test]
fn branch_faults_invert_i64_compare_branches() {
    let app = || {
        let bytes = wat::parse_str(
            r#"(module
          (func (export "run") (result i64) (local $i i64)
            (loop
              local.get $i i64.const 1 i64.add local.tee $i
              i64.const 100 i64.lt_u
              br_if 0)
            local.get $i))"#,
        )
        .unwrap();
        App::new("i64loop.wat", bytes, vec![], Some(("run".into(), vec![]))).unwrap()
    };
    for mode in [Mode::Plain, Mode::Encoded, Mode::Dual] {
        let opts = stratum(mode, Class::Branch, 20);
        let dir = temp(&format!("i64-branch-{mode:?}"));
        Campaign::open(app(), &opts, &dir)
            .unwrap()
            .run(&opts)
            .unwrap();
        let records = sorted(&dir);
        let sdc = records.iter().filter(|r| r.outcome == Label::Sdc).count();
        let detected = records.iter().filter(|r| r.outcome.is_detected()).count();
        // A fault time after the last branch finds none to invert: allow a few of those.
        match mode {
            Mode::Plain => assert!(sdc >= 15, "{mode:?}: {records:?}"),
            _ => assert!(sdc == 0 && detected >= 15, "{mode:?}: {records:?}"),
        }
    }
}

/// Sets `campaign.json`'s field `name` to `value` (`None`: removes it, as in a campaign
/// recorded before the field existed).
fn edit_campaign(dir: &Path, name: &str, value: Option<serde_json::Value>) {
    let meta = dir.join("campaign.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&meta).unwrap()).unwrap();
    let object = json.as_object_mut().unwrap();
    match value {
        Some(value) => object.insert(name.to_owned(), value),
        None => object.remove(name),
    };
    fs::write(&meta, json.to_string()).unwrap();
}

#[test]
fn a_packed_campaign_reports_resumes_and_replays_like_its_results() {
    use wasmrel_fault_inject::packed::{pack, read_samples, PACKED};
    let opts = options(Mode::Plain, 140);
    let whole = run_whole(&opts, "packed-whole");
    let dir = temp("packed");
    let stopping = CampaignOptions {
        stop_after: Some(50),
        ..opts.clone()
    };
    Campaign::open(loop_app(true), &stopping, &dir)
        .unwrap()
        .run(&stopping)
        .unwrap();
    assert_eq!(pack(&dir).unwrap(), 50);
    fs::remove_file(dir.join(RESULTS)).unwrap();
    // Resuming reads the packed ids as done and runs only the others.
    let mut campaign = Campaign::open(loop_app(true), &opts, &dir).unwrap();
    assert_eq!(campaign.done.len(), 50);
    assert_eq!(campaign.run(&opts).unwrap(), 90);
    assert_eq!(read_results(&dir, false).unwrap().len(), 90);
    // Packing again merges the new results; packing twice changes nothing.
    assert_eq!(pack(&dir).unwrap(), 140);
    let first = fs::read_to_string(dir.join(PACKED)).unwrap();
    assert_eq!(pack(&dir).unwrap(), 140);
    assert_eq!(fs::read_to_string(dir.join(PACKED)).unwrap(), first);
    fs::remove_file(dir.join(RESULTS)).unwrap();
    // Every id has the outcome and the class of the full run's record.
    let spec = read_campaign(&dir).unwrap().spec;
    let samples = read_samples(&dir, &spec).unwrap();
    let records = sorted(&whole);
    assert_eq!(samples.len(), records.len());
    for (sample, record) in samples.iter().zip(&records) {
        assert_eq!(
            (sample.id, sample.class, sample.outcome),
            (record.id, record.class, record.outcome)
        );
    }
    // The report reads it as it reads the full results.
    let report = |dir: &Path| {
        let r = wasmrel_fault_inject::report::analyse(&[dir.to_owned()]).unwrap();
        let classes: Vec<_> = r
            .classes
            .iter()
            .map(|c| (c.samples, c.counts.clone()))
            .collect();
        let c = &r.campaigns[0];
        // (Golden times, and so the spaces, are measured per campaign.)
        (c.samples, c.counts.clone(), classes)
    };
    assert_eq!(report(&dir), report(&whole));
    // A packed campaign is complete: nothing left to run.
    let mut campaign = Campaign::open(loop_app(true), &opts, &dir).unwrap();
    assert_eq!(campaign.run(&opts).unwrap(), 0);
    // A result line that disagrees with the packed outcome, an unknown outcome character
    // and a foreign header are refused, naming the file.
    let mut disagreeing = records[3].clone();
    disagreeing.outcome = if disagreeing.outcome == Label::Sdc {
        Label::Benign
    } else {
        Label::Sdc
    };
    let line = serde_json::to_string(&disagreeing).unwrap() + "\n";
    fs::write(dir.join(RESULTS), line).unwrap();
    let error = read_samples(&dir, &spec).err().unwrap();
    assert!(error.contains("id 3 is"), "{error}");
    fs::remove_file(dir.join(RESULTS)).unwrap();
    let (header, body) = first.split_once('\n').unwrap();
    fs::write(dir.join(PACKED), format!("{header}\nz{}", &body[1..])).unwrap();
    let error = read_samples(&dir, &spec).err().unwrap();
    assert!(
        error.contains("line 2 has the unknown outcome `z`"),
        "{error}"
    );
    fs::write(dir.join(PACKED), format!("outcomes\n{body}")).unwrap();
    let error = wasmrel_fault_inject::report::analyse(std::slice::from_ref(&dir))
        .err()
        .unwrap();
    assert!(error.contains("does not start with the header"), "{error}");
    // Shards are merged before packing.
    fs::write(dir.join(PACKED), &first).unwrap();
    let error = merge(std::slice::from_ref(&dir), &temp("packed-merged"))
        .err()
        .unwrap();
    assert!(error.contains("packed"), "{error}");
}

#[test]
fn samples_of_a_class_under_an_older_fault_model_are_left_out() {
    use wasmrel_fault_inject::report::analyse;
    let plain = run_whole(&options(Mode::Plain, 70), "stale-plain");
    let whole_opts = fault_space(Mode::Dual, 60);
    let dual = run_whole(&whole_opts, "stale-dual");
    // Both recorded before the field existed: version 1, whose branch faults differ.
    for dir in [&plain, &dual] {
        edit_campaign(dir, "fault_model", None);
        assert_eq!(read_campaign(dir).unwrap().spec.fault_model, 1);
    }
    let plain_branch = run_whole(&stratum(Mode::Plain, Class::Branch, 30), "stale-plain-b");
    let dual_branch = run_whole(&stratum(Mode::Dual, Class::Branch, 25), "stale-dual-b");
    let report = analyse(&[plain.clone(), plain_branch, dual.clone(), dual_branch]).unwrap();
    let class = |mode: Mode, class: Class| {
        report
            .classes
            .iter()
            .find(|r| r.mode == mode && r.class == class)
            .unwrap()
    };
    // Plain's branch class holds the stratum's samples alone; the old ones are counted apart.
    let row = class(Mode::Plain, Class::Branch);
    assert_eq!(
        (row.samples, row.stratified_samples, row.stale_samples),
        (30, 30, 10)
    );
    assert_eq!(class(Mode::Plain, Class::Pc).samples, 10);
    let campaign = |mode: Mode| {
        report
            .campaigns
            .iter()
            .find(|c| {
                c.mode == mode && !matches!(c.sampling, wasmrel_fault_inject::Sampling::Class(_))
            })
            .unwrap()
    };
    let whole_plain = campaign(Mode::Plain);
    assert_eq!((whole_plain.samples, whole_plain.stale_samples), (60, 10));
    assert_eq!(whole_plain.counts.values().sum::<u64>(), 60);
    // An equal campaign's total is the sum of its classes with the stratum in.
    let sum: f64 = report
        .classes
        .iter()
        .filter(|r| r.mode == Mode::Plain)
        .map(|r| r.extrapolated_sdc)
        .sum();
    assert!((whole_plain.extrapolated_sdc - sum).abs() <= 1e-9 * sum);
    // A fault-space campaign: its current samples cover the other classes' space, the
    // branch class its pooled row.
    let whole_dual = campaign(Mode::Dual);
    let branch = class(Mode::Dual, Class::Branch);
    let stale = read_results(&dual, false)
        .unwrap()
        .iter()
        .filter(|r| r.class == Class::Branch)
        .count() as u64;
    assert_eq!((branch.samples, branch.stale_samples), (25, stale));
    assert_eq!(whole_dual.samples + stale, 60);
    let others: Vec<_> = report
        .classes
        .iter()
        .filter(|r| r.mode == Mode::Dual && r.class != Class::Branch)
        .collect();
    let space: f64 = others.iter().map(|r| r.fault_space).sum();
    let sdc: u64 = others.iter().map(|r| r.sdc.count).sum();
    let e = wasmrel_fault_inject::stats::estimate(sdc, whole_dual.samples);
    let high = e.high * space + branch.extrapolated_sdc_high;
    assert!((whole_dual.extrapolated_sdc_high - high).abs() <= 1e-9 * high);
    // The totals say which class-restricted samples they include.
    assert_eq!(whole_plain.stratified_samples, 30);
    assert_eq!(
        whole_plain.stratified_sdc,
        row.counts.get(&Label::Sdc).copied().unwrap_or(0)
    );
    assert_eq!(whole_dual.stratified_samples, 25);
    // Directories are named by their last component, wherever they were read from.
    assert_eq!(
        whole_plain.dir,
        plain.file_name().unwrap().to_str().unwrap()
    );
    let markdown = report_markdown(&report, "stale-out");
    assert!(
        markdown.contains("| branch | 30 (+ 30 stratified); 10 stale left out |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| loop.wat:run | plain | equal | 60 (+ 30 stratified) | "),
        "{markdown}"
    );
    assert!(
        markdown.contains("samples recorded under an older fault model"),
        "{markdown}"
    );
    // A campaign with a branch class is not resumed under another fault model; one whose
    // classes did not change is.
    let error = Campaign::open(loop_app(true), &whole_opts, &dual)
        .err()
        .unwrap();
    assert!(error.contains("fault model 1, not 2"), "{error}");
    let memory = run_whole(&stratum(Mode::Dual, Class::Memory, 10), "stale-memory");
    edit_campaign(&memory, "fault_model", None);
    let grown = stratum(Mode::Dual, Class::Memory, 15);
    let mut campaign = Campaign::open(loop_app(true), &grown, &memory).unwrap();
    assert_eq!(campaign.run(&grown).unwrap(), 5);
}

/// `loop_app(live)` under another name, as given by another path to the same file.
fn renamed(live: bool, name: &str) -> App {
    let app = loop_app(live);
    App::new(name, app.bytes, vec![], app.invoke).unwrap()
}

#[test]
fn a_campaign_resumes_from_any_path_to_the_same_bytes() {
    let opts = options(Mode::Plain, 30);
    let stopped = CampaignOptions {
        stop_after: Some(10),
        ..opts.clone()
    };
    let dir = temp("renamed");
    Campaign::open(loop_app(true), &stopped, &dir)
        .unwrap()
        .run(&stopped)
        .unwrap();
    let mut resumed = Campaign::open(renamed(true, "/elsewhere/./loop.wat"), &opts, &dir).unwrap();
    assert_eq!(resumed.done.len(), 10);
    assert_eq!(resumed.run(&opts).unwrap(), 20);
    // The campaign keeps the name it was started with.
    assert_eq!(read_campaign(&dir).unwrap().spec.app, "loop.wat");
    let whole = temp("renamed-whole");
    Campaign::open(loop_app(true), &opts, &whole)
        .unwrap()
        .run(&opts)
        .unwrap();
    assert_eq!(sorted(&dir), sorted(&whole));
    // Other bytes under the same name are another module, named with both paths.
    let error = Campaign::open(renamed(false, "other/loop.wat"), &opts, &dir)
        .err()
        .unwrap();
    assert!(
        error.contains("module loop.wat (sha256 ") && error.contains("not other/loop.wat (sha256 "),
        "{error}"
    );
}

#[test]
fn reports_state_planned_and_completed_faults_and_warn_of_unfinished_campaigns() {
    use wasmrel_fault_inject::report::analyse;
    let opts = options(Mode::Plain, 40);
    let done = temp("report-done");
    Campaign::open(loop_app(true), &opts, &done)
        .unwrap()
        .run(&opts)
        .unwrap();
    let unfinished = temp("report-unfinished");
    let partial = CampaignOptions {
        mode: Mode::Dual,
        stop_after: Some(13),
        jobs: 1,
        ..opts.clone()
    };
    Campaign::open(loop_app(true), &partial, &unfinished)
        .unwrap()
        .run(&partial)
        .unwrap();
    let report = analyse(&[done.clone(), unfinished.clone()]).unwrap();
    let counts: Vec<(u64, u64)> = report
        .campaigns
        .iter()
        .map(|c| (c.completed, c.planned))
        .collect();
    assert_eq!(counts, [(40, 40), (13, 40)]);
    let out = temp("report-unfinished-out");
    wasmrel_fault_inject::report::write(&report, &out).unwrap();
    let markdown = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(markdown.contains("## INCOMPLETE CAMPAIGNS"), "{markdown}");
    assert!(
        markdown.contains("loop.wat:run dual (plain,inverted) (equal, directory wasmrel-fi-")
            && markdown.contains("report-unfinished): 13 of 40 planned faults done (32.5 %)"),
        "{markdown}"
    );
    assert!(markdown.contains("| 40 of 40 |") && markdown.contains("| 13 of 40 |"));
    assert!(fs::read_to_string(out.join("report.html"))
        .unwrap()
        .contains("INCOMPLETE CAMPAIGNS"));
    let csv = fs::read_to_string(out.join("campaigns.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(header[header.len() - 2..], ["planned", "completed"]);
    assert!(csv.lines().nth(2).unwrap().ends_with(",40,13"), "{csv}");
    let json = fs::read_to_string(out.join("report.json")).unwrap();
    assert!(json.contains("\"planned\": 40") && json.contains("\"completed\": 13"));
    // A finished campaign alone gets no warning.
    let finished = report_markdown(&analyse(&[done]).unwrap(), "report-done-out");
    assert!(!finished.contains("INCOMPLETE"), "{finished}");
}

#[test]
fn reports_read_a_directory_given_twice_once_and_refuse_a_copied_campaign() {
    use wasmrel_fault_inject::report::analyse;
    let opts = options(Mode::Plain, 20);
    let dir = temp("report-twice");
    Campaign::open(loop_app(true), &opts, &dir)
        .unwrap()
        .run(&opts)
        .unwrap();
    let spelled = dir.join(".");
    let report = analyse(&[dir.clone(), spelled.clone()]).unwrap();
    assert_eq!(report.campaigns.len(), 1);
    assert_eq!(report.repeated, [spelled.display().to_string()]);
    let markdown = report_markdown(&report, "report-twice-out");
    assert!(
        markdown.contains("Given more than once and counted once: "),
        "{markdown}"
    );
    // The same campaign in another directory (a copy, or a smaller run with the same
    // seed) draws the same faults: its samples would count twice.
    let smaller = temp("report-twice-smaller");
    let fewer = options(Mode::Plain, 10);
    Campaign::open(renamed(true, "copy/loop.wat"), &fewer, &smaller)
        .unwrap()
        .run(&fewer)
        .unwrap();
    let error = analyse(&[dir.clone(), smaller.clone()]).unwrap_err();
    assert!(
        error.contains("hold the same campaign") && error.contains("ids 0..10"),
        "{error}"
    );
    // Another seed draws other faults: both are reported.
    let other = temp("report-twice-seed");
    let seeded = CampaignOptions { seed: 12, ..fewer };
    Campaign::open(loop_app(true), &seeded, &other)
        .unwrap()
        .run(&seeded)
        .unwrap();
    assert_eq!(analyse(&[dir, other]).unwrap().campaigns.len(), 2);
}
