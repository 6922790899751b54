// Go bug: the receiver closes the channel to say "I am done". A sender still running then
// panics with "send on closed channel":
//
//     ch := make(chan int)
//     go func() {
//         for i := 0; ; i++ { ch <- i } // panics once main closes ch
//     }()
//     fmt.Println(<-ch)
//     close(ch) // wrong side: only the sender knows when no more values come
//
// Rust rule: `concheck::go::Receiver` has no `close` method; only a `Sender` can close, so the
// side that closes is the side that knows no more sends follow (E0599, no method named `close`).
// To stop a sender, cancel a `concheck::go::Context` that it selects on.

use concheck::go;
use concheck::thread;

fn main() {
    let (tx, rx) = go::channel::<u64>(0);
    let producer = thread::spawn(move || {
        for i in 0.. {
            tx.send(i);
        }
    });
    println!("{:?}", rx.recv());
    rx.close();
    producer.join().unwrap();
}
