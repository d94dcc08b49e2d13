package core

import "sync"

// Retry-quota defaults, as in aws-sdk-go-v2's standard retryer: a bucket of
// 500 tokens; a retry costs 5 (10 after a timeout); a success on the first
// attempt puts 1 back, and a success after retries returns what they took.
const (
	DefaultRetryQuota = 500
	retryCost         = 5
	retryTimeoutCost  = 10
	noRetryIncrement  = 1
)

// retryQuota is a client-wide bucket of retry tokens: during an outage every
// call fails fast after its first attempt instead of multiplying the load.
type retryQuota struct {
	mu       sync.Mutex
	capacity int
	left     int
}

func newRetryQuota(capacity int) *retryQuota {
	if capacity <= 0 {
		return nil
	}
	return &retryQuota{capacity: capacity, left: capacity}
}

// take reserves cost tokens; false when the bucket cannot pay.
func (q *retryQuota) take(cost int) bool {
	if q == nil {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.left < cost {
		return false
	}
	q.left -= cost
	return true
}

// give returns n tokens, up to the capacity.
func (q *retryQuota) give(n int) {
	if q == nil || n <= 0 {
		return
	}
	q.mu.Lock()
	q.left = min(q.capacity, q.left+n)
	q.mu.Unlock()
}
