package weilingtest

import "github.com/cluekit/cluekit/internal/fake"

// Fault is one injected misbehaviour for Server.Faults: a status code, a body,
// a delay, a connection reset, optionally after the operation took effect
// (the ambiguous case). The zero Op matches any operation; ops are the path
// after /openapi/ ("auth/access_token/get", "contact/create", ...).
type Fault = fake.Fault

// Injector queues one-shot faults (Add), injects them at random
// (SetRandom) and counts requests per operation (Count).
type Injector = fake.Injector

// Clock is a settable clock (real time plus an offset): give its Now to the
// fake (WithClock) and to the client (weiling.WithClock), and Advance it to
// expire tokens without sleeping.
type Clock = fake.Clock

// NewClock returns a clock that reads real time until advanced.
func NewClock() *Clock { return fake.NewClock() }
