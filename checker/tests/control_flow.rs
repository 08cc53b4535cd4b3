//! A small word-coded machine with the checker wired in the way the interpreter uses it, run
//! under every fault the crate docs claim to catch: each fault must end in a signature
//! mismatch, never in a finished run with a different path.

use wasmrel_checker::{block_signature, branch, check, edge, fold, fold_words, SignatureMismatch};

/// How a block ends. `taken`/`not_taken` are block numbers.
#[derive(Clone, Copy)]
enum Exit {
    Jump(usize),
    /// Branch on the flag computed by the block (loop counter below `limit`).
    Branch {
        taken: usize,
        not_taken: usize,
        limit: u32,
    },
    Return,
}

struct Block {
    /// The block's IR words (their meaning does not matter here, only that they are folded).
    words: Vec<u32>,
    exit: Exit,
}

/// A countdown loop: 0 → 1 → (2 | 3), 2 → 1, 3 returns.
fn program() -> Vec<Block> {
    vec![
        Block {
            words: vec![0x10, 7, 0x11],
            exit: Exit::Jump(1),
        },
        Block {
            words: vec![0x20, 1, 2, 0x21, 9],
            exit: Exit::Branch {
                taken: 2,
                not_taken: 3,
                limit: 5,
            },
        },
        Block {
            words: vec![0x30, 4, 0x31, 5, 6, 0x32],
            exit: Exit::Jump(1),
        },
        Block {
            words: vec![0x40, 0x41],
            exit: Exit::Return,
        },
    ]
}

/// What the translator stores: entry signatures, and per exit the edge differences.
struct Signed {
    entry: Vec<u32>,
    /// `(taken, not_taken)` differences; a jump uses the first, a return expects `G = 0`.
    edges: Vec<(u32, u32)>,
}

fn sign(blocks: &[Block]) -> Signed {
    let entry: Vec<u32> = (0..blocks.len() as u32)
        .map(|b| block_signature(1, b))
        .collect();
    let edges = blocks
        .iter()
        .zip(&entry)
        .map(|(block, &s)| {
            let exit = fold_words(s, &block.words);
            match block.exit {
                Exit::Jump(t) => (edge(exit, entry[t]), 0),
                Exit::Branch {
                    taken, not_taken, ..
                } => (edge(exit, entry[taken]), edge(exit, entry[not_taken])),
                Exit::Return => (edge(exit, 0), 0),
            }
        })
        .collect();
    Signed { entry, edges }
}

/// One fault, applied once at the `at`-th block execution.
#[derive(Clone, Copy, Debug)]
enum Fault {
    None,
    /// Flip a bit of word `index` of the block as it is read.
    Word {
        index: usize,
        bit: u32,
    },
    /// The program counter goes to `block` instead of the intended successor.
    WrongTarget(usize),
    /// Enter the next block at word `index` (skipping the entry check and earlier words).
    MidBlock(usize),
    /// The branch decision is inverted while the condition's code word stays right.
    InvertDecision,
    /// The encoded condition decodes to this invalid flag (the decision uses its low bit).
    BadFlag(u64),
    /// Flip a bit of the runtime signature.
    Signature(u32),
    /// Flip a bit of the edge difference the block's exit uses.
    EdgeWord(u32),
}

/// Runs the program; `Ok(path)` when it returns, `Err` on a signature mismatch.
fn run(
    blocks: &[Block],
    signed: &Signed,
    fault: Fault,
    at: usize,
) -> Result<Vec<usize>, SignatureMismatch> {
    let (mut block, mut start, mut g, mut counter) = (0usize, 0usize, signed.entry[0], 0u32);
    let mut path = Vec::new();
    for step in 0..100 {
        let now = step == at;
        if start == 0 {
            check(g, signed.entry[block])?;
        }
        path.push(block);
        if now {
            if let Fault::Signature(bit) = fault {
                g ^= 1 << bit;
            }
        }
        for (index, &word) in blocks[block].words.iter().enumerate().skip(start) {
            let word = match fault {
                Fault::Word { index: i, bit } if now && i == index => word ^ (1 << bit),
                _ => word,
            };
            g = fold(g, word);
        }
        start = 0;
        let (mut taken_edge, mut not_taken_edge) = signed.edges[block];
        if let (true, Fault::EdgeWord(bit)) = (now, fault) {
            // Whichever difference the exit uses is the corrupted one.
            taken_edge ^= 1 << bit;
            not_taken_edge ^= 1 << bit;
        }
        let mut next = match blocks[block].exit {
            Exit::Return => {
                g ^= taken_edge;
                check(g, 0)?;
                return Ok(path);
            }
            Exit::Jump(t) => {
                g ^= taken_edge;
                t
            }
            Exit::Branch {
                taken,
                not_taken,
                limit,
            } => {
                counter += 1;
                let mut flag = u64::from(counter < limit);
                if let (true, Fault::BadFlag(bad)) = (now, fault) {
                    flag = bad;
                }
                g = branch(g, flag, taken_edge, not_taken_edge);
                let mut decision = flag & 1 == 1;
                if let (true, Fault::InvertDecision) = (now, fault) {
                    decision = !decision;
                }
                if decision {
                    taken
                } else {
                    not_taken
                }
            }
        };
        if now {
            match fault {
                Fault::WrongTarget(b) => next = b,
                Fault::MidBlock(index) => start = index,
                _ => {}
            }
        }
        block = next;
    }
    panic!("the test program does not terminate");
}

#[test]
fn fault_free_runs_pass_every_check() {
    let blocks = program();
    let path = run(&blocks, &sign(&blocks), Fault::None, usize::MAX).expect("no fault");
    assert_eq!(path, [0, 1, 2, 1, 2, 1, 2, 1, 2, 1, 3]);
}

fn assert_detected(fault: Fault, steps: std::ops::Range<usize>) {
    let blocks = program();
    let signed = sign(&blocks);
    for at in steps {
        let outcome = run(&blocks, &signed, fault, at);
        assert!(
            outcome.is_err(),
            "{fault:?} at block execution {at}: {outcome:?}"
        );
    }
}

#[test]
fn a_flipped_ir_word_is_detected() {
    for index in 0..2 {
        for bit in 0..32 {
            assert_detected(Fault::Word { index, bit }, 0..11);
        }
    }
}

#[test]
fn wrong_skipped_and_repeated_blocks_are_detected() {
    // Block executions 0..10 all have a successor; every other block is wrong for them, and
    // block 1 after block 0 or 2, or block 2 after block 2, is a repeat or a skip.
    let blocks = program();
    let signed = sign(&blocks);
    let path = run(&blocks, &signed, Fault::None, usize::MAX).expect("no fault");
    for (at, pair) in path.windows(2).enumerate() {
        for wrong in 0..blocks.len() {
            if wrong != pair[1] {
                let outcome = run(&blocks, &signed, Fault::WrongTarget(wrong), at);
                assert!(
                    outcome.is_err(),
                    "block {wrong} instead of {} at {at}",
                    pair[1]
                );
            }
        }
    }
}

#[test]
fn entering_a_block_in_the_middle_is_detected() {
    for index in 1..3 {
        assert_detected(Fault::MidBlock(index), 0..10);
    }
}

#[test]
fn a_branch_decision_that_contradicts_its_condition_is_detected() {
    // Branches run at block executions 1, 3, 5, 7 and 9.
    for at in [1, 3, 5, 7, 9] {
        assert_detected(Fault::InvertDecision, at..at + 1);
        for flag in [2, 3, 1 << 33, u64::MAX] {
            assert_detected(Fault::BadFlag(flag), at..at + 1);
        }
    }
}

#[test]
fn a_corrupted_signature_or_edge_difference_is_detected() {
    for bit in 0..32 {
        assert_detected(Fault::Signature(bit), 0..11);
        assert_detected(Fault::EdgeWord(bit), 0..11);
    }
}
