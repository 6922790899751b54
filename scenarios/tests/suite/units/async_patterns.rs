//! Unit tests of `concheck_scenarios::async_patterns`: the request type's `Debug` (its call and
//! serve run on real threads in their doc example, and under the checkers in the catalog).

use concheck::future::oneshot;
use concheck_scenarios::async_patterns::Request;

#[test]
fn a_request_debugs_as_its_argument() {
    let (reply, _answer) = oneshot::channel::<u32>();
    let request = Request { arg: 7u8, reply };
    assert_eq!(format!("{request:?}"), "Request { arg: 7, .. }");
}
