//! Unit tests of `concheck_scenarios::lock_order`: the ordered two-lock transfer: its input errors,
//! and money conserved by opposite transfers on real threads.
//!
//! Moved here from the `#[cfg(test)]` module of `scenarios/src/lock_order.rs`: the suite is the
//! crate's only test binary, so `cargo test` compiles the catalog once, not a second time in test
//! mode.

use concheck_scenarios::lock_order::*;
use std::sync::Arc;

#[test]
fn lock_order_rejects_a_transfer_to_the_same_account() {
    let a = Account::new(10);
    let err = transfer(&a, &a, 1).unwrap_err();
    assert_eq!(err, TransferError::SameAccount);
    assert!(err.to_string().contains("pass two different accounts"));
    assert_eq!(a.balance(), 10);
}

#[test]
fn lock_order_rejects_overdrafts() {
    let (a, b) = (Account::new(5), Account::new(0));
    let err = transfer(&a, &b, 6).unwrap_err();
    assert_eq!(
        err,
        TransferError::InsufficientFunds {
            balance: 5,
            amount: 6
        }
    );
    assert!(err.to_string().contains("transfer at most the balance"));
    assert_eq!((a.balance(), b.balance()), (5, 0));
}

#[test]
fn lock_order_opposite_transfers_conserve_money_on_real_threads() {
    let accounts: Arc<Vec<Account>> = Arc::new((0..3).map(|_| Account::new(1000)).collect());
    let tasks: Vec<_> = (0..6)
        .map(|t| {
            let accounts = Arc::clone(&accounts);
            std::thread::spawn(move || {
                for i in 0..500 {
                    // Every pair, in both directions, from every thread.
                    let from = (t + i) % 3;
                    let to = (from + 1 + (t + i) % 2) % 3;
                    let _ = transfer(&accounts[from], &accounts[to], 1);
                }
            })
        })
        .collect();
    for t in tasks {
        t.join().unwrap();
    }
    let total: u64 = accounts.iter().map(Account::balance).sum();
    assert_eq!(total, 3000, "money is neither created nor lost");
}

#[test]
fn accounts_have_distinct_ids_in_creation_order() {
    let (a, b) = (Account::new(1), Account::new(2));
    assert!(a.id() < b.id(), "{a:?} was made before {b:?}");
    assert!(
        format!("{a:?}").contains(&format!("id: {}", a.id())),
        "{a:?}"
    );
}
