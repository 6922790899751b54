//! `go::chan`'s accessors and the text a user reads: Go's `len(ch)` and `cap(ch)` on both ends
//! of a channel, the label reports name a channel by, and the `Debug` output of the ends, of the
//! range iterator and of `TrySendError`.
//!
//! `len` and `cap` follow Go's spec ("Length and capacity": a channel's length is the number of
//! elements queued in its buffer, its capacity the buffer's size).
//! `go_types::go_channel_len_and_cap` checks an unbuffered channel's 0 under loom; this file
//! checks both ends alike, `is_empty` included.

use concheck::go;
use concheck::go::chan::TrySendError;

#[test]
fn channel_len_and_cap_count_the_buffer_on_both_ends() {
    let (tx, rx) = go::channel::<u32>(3);
    assert_eq!((tx.cap(), rx.cap()), (3, 3), "cap(ch) is the buffer's size");
    assert_eq!(
        (tx.len(), rx.len()),
        (0, 0),
        "a new channel buffers nothing"
    );
    assert!(tx.is_empty() && rx.is_empty());
    tx.send(1);
    tx.send(2);
    assert_eq!(
        (tx.len(), rx.len()),
        (2, 2),
        "len(ch) counts the buffered values"
    );
    assert!(!tx.is_empty() && !rx.is_empty());
    assert_eq!(rx.recv(), Some(1));
    assert_eq!((tx.len(), rx.len()), (1, 1), "a receive takes one off");
    tx.close();
    assert_eq!(rx.len(), 1, "closing does not drop what is buffered");
    assert_eq!(rx.recv(), Some(2));
    assert!(rx.is_empty() && tx.is_empty());
}

#[test]
fn channel_label_names_the_channel_and_where_it_was_made() {
    let (tx, rx) = go::named::<u32>("results", 1);
    let made = format!("channel 'results' (created at {}:{}:", file!(), line!() - 1);
    assert!(tx.label().starts_with(&made), "{}", tx.label());
    assert_eq!(rx.label(), tx.label(), "both ends name the same channel");

    let (tx, rx) = go::channel::<u32>(0);
    let made = format!("channel created at {}:{}:", file!(), line!() - 1);
    assert!(rx.label().starts_with(&made), "{}", rx.label());
    assert_eq!(tx.label(), rx.label());
}

#[test]
fn channel_debug_output_names_the_channel() {
    let (tx, rx) = go::named::<u32>("jobs", 0);
    assert_eq!(
        format!("{tx:?}"),
        format!("Sender {{ channel: {:?} }}", tx.label())
    );
    assert_eq!(
        format!("{rx:?}"),
        format!("Receiver {{ channel: {:?} }}", rx.label())
    );
    let iter = rx.iter();
    let at = format!("Iter {{ at: {}:{}:", file!(), line!() - 1);
    let shown = format!("{iter:?}");
    assert!(
        shown.starts_with(&at) && shown.ends_with(", .. }"),
        "{shown}"
    );
    assert_eq!(format!("{:?}", TrySendError(3u8)), "TrySendError(..)");
}
