//! Go-semantics primitives: channel, select, WaitGroup, context.
