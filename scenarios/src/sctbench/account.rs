//! `account`: a deposit, a withdrawal and a checker of the final balance, each under one lock;
//! the checker's formula is wrong, and it runs only if it comes after both.
//!
//! Ported from SCTBench's `benchmarks/concurrent-software-benchmarks/account_bad.c` (CS,
//! Thomson, Donaldson and Betts, PPoPP'14 / TOPC'16), rewritten. The checker is spawned first,
//! so the bug needs it delayed past both other tasks.

use std::sync::Arc;

use concheck::sync::Mutex;

use super::{buggy, fixed, join_all, spawn, Program, Study, ASSERTS};

const START: i64 = 1;
const DEPOSIT: i64 = 2;
const WITHDRAWAL: i64 = 4;

#[derive(Default)]
struct Ledger {
    balance: i64,
    deposited: bool,
    withdrawn: bool,
}

fn run(expected: fn(i64, i64, i64) -> i64) {
    let ledger = Arc::new(Mutex::new(Ledger {
        balance: START,
        ..Ledger::default()
    }));
    let l = Arc::clone(&ledger);
    let checker = spawn("check_result", move || {
        let l = l.lock();
        if l.deposited && l.withdrawn {
            assert_eq!(
                l.balance,
                expected(START, DEPOSIT, WITHDRAWAL),
                "the balance after a deposit and a withdrawal is not what the checker expects"
            );
        }
    });
    let l = Arc::clone(&ledger);
    let deposit = spawn("deposit", move || {
        let mut l = l.lock();
        l.balance += DEPOSIT;
        l.deposited = true;
    });
    let l = ledger;
    let withdraw = spawn("withdraw", move || {
        let mut l = l.lock();
        l.balance -= WITHDRAWAL;
        l.withdrawn = true;
    });
    join_all(vec![checker, deposit, withdraw]);
}

/// The C program: the checker expects `(x - y) - z`, a deposit subtracted.
pub fn bad() {
    run(|x, y, z| (x - y) - z);
}

/// The checker expects `x + y - z`.
pub fn ok() {
    run(|x, y, z| x + y - z);
}

/// The benchmark.
pub fn program() -> Program {
    Program {
        buggy: buggy(
            "sct_account",
            "checker spawned first asserts a wrong balance once deposit and withdrawal ran",
            ASSERTS,
            bad,
            3,
        ),
        fixed: Some(fixed(
            "sct_account_fixed",
            "the checker asserts the right balance",
            ok,
            3,
        )),
        origin: "benchmarks/concurrent-software-benchmarks/account_bad.c",
        study: Some(Study {
            threads: 4,
            points: 8,
        }),
        tasks: 3,
    }
}
