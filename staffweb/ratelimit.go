package staffweb

import (
	"net/netip"
	"sync"
	"time"
)

// maxLimiterClients bounds the clients a limiter remembers. When that many
// have tried within the window, a random hundredth is forgotten: an
// attacker with more addresses than this can weaken the limit for some,
// but neither refuse everyone nor make the limiter grow without bound.
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
			// Still full (a flood of addresses): forget some clients
			// rather than refuse every new one; the map's order picks
			// them at random, so the flood's entries go first.
			for k := range l.clients {
				if len(l.clients) < maxLimiterClients*99/100 {
					break
				}
				delete(l.clients, k)
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

// refund gives back a token taken from client's bucket: a successful login
// does not count against the staff room's shared address.
func (l *limiter) refund(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.clients[client]; ok {
		b.tokens = min(l.n, b.tokens+1)
	}
}

// clientKey is the limiter's key for a client address: an IPv4 address,
// or an IPv6 address's /64 (one site's network), since a single host can
// use every address of its /64.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
