package staffweb

import (
	"sync"
	"time"
)

// maxLimiterClients bounds the clients a limiter remembers. When that many
// have tried within the window, new clients are refused until some age out:
// an attacker with more addresses than this can slow logins down, but not
// make the limiter grow without bound.
const maxLimiterClients = 100_000

// limiter allows n events per window to each client: a token bucket of n
// tokens refilled at n per window.
type limiter struct {
	n      float64
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	clients map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(n int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{n: float64(n), window: window, now: now, clients: map[string]*bucket{}}
}

// allow takes a token of client's bucket, and reports whether there was
// one.
func (l *limiter) allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.clients[client]
	if !ok {
		if len(l.clients) >= maxLimiterClients {
			l.prune(now)
			if len(l.clients) >= maxLimiterClients {
				return false
			}
		}
		b = &bucket{tokens: l.n, at: now}
		l.clients[client] = b
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.n, b.tokens+l.n*d.Seconds()/l.window.Seconds())
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// prune forgets the clients whose bucket has been full again for a while.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.clients {
		if now.Sub(b.at) >= l.window {
			delete(l.clients, k)
		}
	}
}
