package waiqin365test

import "github.com/cluekit/cluekit/internal/fake"

// Fault is one injected misbehaviour for Server.Faults: a status code, a body,
// a delay, a connection reset, optionally after the operation took effect
// (the ambiguous case). The zero Op matches any operation.
type Fault = fake.Fault

// Injector queues one-shot faults (Add), injects them at random
// (SetRandom) and counts requests per operation.
type Injector = fake.Injector
