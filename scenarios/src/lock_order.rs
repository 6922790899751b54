//! Lock ordering: an operation that needs two locks takes them in one global order (here, by
//! account id), whatever order its arguments come in, so no two tasks can each hold the lock the
//! other waits for.
//!
//! Mirrors the deadlock example of "Concurrency in Go" (Katherine Cox-Buday, ch. 1, "Deadlocks,
//! Livelocks, and Starvation": `printSum(&a, &b)` beside `printSum(&b, &a)`, each locking its
//! first argument, then its second) as the bank transfer it usually appears as, with the
//! standard fix: a total order on the locks.
//!
//! # Guarantees
//!
//! - [`transfer`] moves `amount` from one account to the other atomically: no task sees one
//!   balance changed and the other not, and money is neither created nor lost.
//! - It never deadlocks with other transfers: both locks are taken lower id first, so every task
//!   that holds one lock and waits for another waits for a higher id; a cycle of waits would
//!   need a lower one. (Coffman's "circular wait" condition is what the order removes.)
//! - A transfer from an account to itself would take its one lock twice (a self-deadlock on
//!   Go's `sync.Mutex` and on Rust's): it is refused with an error instead.
//!
//! # Twin
//!
//! [`ab_ba`]: each transfer locks its source, then its destination. One task moves money from
//! `a` to `b` while another moves money from `b` to `a`: each takes its first lock, then waits
//! forever for the other's.

use std::fmt;
use std::sync::Arc;

use concheck::sync::{Mutex, MutexGuard};
use concheck::thread;
use concheck::ViolationKind;

use crate::catalog::{Body, Role, Scenario};

/// A source of account ids unique in the process. A std atomic, not a facade one: it only hands
/// out distinct numbers and orders nothing between tasks, so the checkers need not see it.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A balance behind its own lock, with an id that fixes its place in the lock order.
///
/// # Examples
///
/// ```
/// use concheck_scenarios::lock_order::{transfer, Account};
///
/// let (a, b) = (Account::new(100), Account::new(0));
/// transfer(&a, &b, 30).unwrap();
/// assert_eq!((a.balance(), b.balance()), (70, 30));
/// ```
pub struct Account {
    id: u64,
    balance: Mutex<u64>,
}

impl Account {
    /// An account holding `balance`, with an id no other account in the process has.
    #[track_caller]
    pub fn new(balance: u64) -> Self {
        Account {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            balance: Mutex::new(balance),
        }
    }

    /// This account's place in the lock order.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The current balance.
    pub fn balance(&self) -> u64 {
        *self.balance.lock()
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a transfer did not happen (no balance changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferError {
    /// The source and the destination are the same account.
    SameAccount,
    /// The source holds less than the amount.
    InsufficientFunds {
        /// What the source holds.
        balance: u64,
        /// What was asked for.
        amount: u64,
    },
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::SameAccount => f.write_str(
                "transfer from an account to itself: its lock would be taken twice; pass two \
                 different accounts (a transfer to itself changes nothing)",
            ),
            TransferError::InsufficientFunds { balance, amount } => write!(
                f,
                "insufficient funds: the source holds {balance} and the transfer asks for \
                 {amount}; transfer at most the balance"
            ),
        }
    }
}

impl std::error::Error for TransferError {}

/// Moves `amount` from `from` to `to`, holding both locks, taken in id order.
///
/// # Errors
///
/// [`TransferError::SameAccount`] if `from` and `to` are one account;
/// [`TransferError::InsufficientFunds`] if `from` holds less than `amount`.
pub fn transfer(from: &Account, to: &Account, amount: u64) -> Result<(), TransferError> {
    if from.id == to.id {
        return Err(TransferError::SameAccount);
    }
    let (mut src, mut dst) = lock_in_order(from, to);
    if *src < amount {
        return Err(TransferError::InsufficientFunds {
            balance: *src,
            amount,
        });
    }
    *src -= amount;
    *dst += amount;
    Ok(())
}

/// Locks both accounts lower id first; returns the guards as (first, second) of the arguments.
fn lock_in_order<'a>(
    first: &'a Account,
    second: &'a Account,
) -> (MutexGuard<'a, u64>, MutexGuard<'a, u64>) {
    if first.id < second.id {
        let a = first.balance.lock();
        let b = second.balance.lock();
        (a, b)
    } else {
        let b = second.balance.lock();
        let a = first.balance.lock();
        (a, b)
    }
}

fn reference() {
    let a = Arc::new(Account::new(100));
    let b = Arc::new(Account::new(100));
    let t1 = {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::Builder::new()
            .name("a-to-b")
            .spawn(move || transfer(&a, &b, 10))
    };
    let t2 = {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::Builder::new()
            .name("b-to-a")
            .spawn(move || transfer(&b, &a, 30))
    };
    t1.join().expect("a-to-b panicked").expect("a holds 100");
    t2.join().expect("b-to-a panicked").expect("b holds 100");
    assert_eq!(
        (a.balance(), b.balance()),
        (120, 80),
        "both transfers applied"
    );
}

/// Twin: each transfer locks its source, then its destination.
pub fn ab_ba() {
    fn transfer_source_first(from: &Account, to: &Account, amount: u64) {
        // BUG: the lock order follows the arguments; the opposite transfer takes the same two
        // locks in the other order.
        let mut src = from.balance.lock();
        let mut dst = to.balance.lock();
        assert!(*src >= amount, "insufficient funds");
        *src -= amount;
        *dst += amount;
    }
    let a = Arc::new(Account::new(100));
    let b = Arc::new(Account::new(100));
    let t1 = {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::Builder::new()
            .name("a-to-b")
            .spawn(move || transfer_source_first(&a, &b, 10))
    };
    let t2 = {
        let (a, b) = (Arc::clone(&a), Arc::clone(&b));
        thread::Builder::new()
            .name("b-to-a")
            .spawn(move || transfer_source_first(&b, &a, 30))
    };
    t1.join().expect("a-to-b panicked");
    t2.join().expect("b-to-a panicked");
    assert_eq!(
        (a.balance(), b.balance()),
        (120, 80),
        "both transfers applied"
    );
}

/// This pattern's scenarios.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "lock_order",
            pattern: "lock ordering",
            role: Role::Reference,
            summary: "a->b and b->a transfers at once, both lock lower id first: no deadlock",
            body: Body::Sync(reference),
            max_live_tasks: Some(2),
            // Two tasks, two locks: exhaustive loom takes 12 iterations (1 ms).
            loom_preemption_bound: None,
        },
        Scenario {
            name: "lock_order_ab_ba",
            pattern: "lock ordering",
            role: Role::Twin {
                expects: &[ViolationKind::Deadlock],
                assertion: None,
            },
            summary: "a->b and b->a transfers each lock source then destination: AB-BA deadlock",
            body: Body::Sync(ab_ba),
            max_live_tasks: Some(2),
            // Exhaustive loom finds it on iteration 4.
            loom_preemption_bound: None,
        },
    ]
}
