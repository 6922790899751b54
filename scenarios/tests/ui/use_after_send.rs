// Go bug: "share memory by communicating" is a convention in Go, not a rule. A goroutine sends a
// pointer on a channel and keeps writing through it, so sender and receiver race on the value
// the send was meant to hand over:
//
//     buf := &Batch{}
//     out <- buf
//     buf.items = append(buf.items, late) // the receiver is reading buf now: a data race
//
// Rust rule: `Sender::send` takes the value by move, so the send transfers ownership and the
// sender cannot touch it afterwards (E0382, borrow of moved value). To keep working on the data,
// send a copy, or send only once the work on it is done.

use concheck::go;
use concheck::thread;

fn main() {
    let (tx, rx) = go::channel::<Vec<u64>>(1);
    let consumer = thread::spawn(move || rx.recv().map_or(0, |batch| batch.len()));
    let mut batch = vec![1, 2];
    tx.send(batch);
    batch.push(3);
    println!("{}", consumer.join().unwrap());
}
