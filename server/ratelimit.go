package server

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// RateLimit is a per-client token bucket: Rate requests per second on
// average, up to Burst at once. A zero Rate disables the limit.
type RateLimit struct {
	Rate  float64
	Burst int
}

// Default limits per client IP: pages and lookups are cheap, uploads are not.
var (
	DefaultPageLimit   = RateLimit{Rate: 20, Burst: 60}
	DefaultUploadLimit = RateLimit{Rate: 0.5, Burst: 5}
)

// limiter keeps one bucket per client key. Buckets idle long enough to be
// full again are dropped, so memory follows the number of active clients.
type limiter struct {
	limit RateLimit
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(l RateLimit, now func() time.Time) *limiter {
	return &limiter{limit: l, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key and reports whether there was one, and if not,
// how long until there is.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l.limit.Rate <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(l.limit.Burst), last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(float64(l.limit.Burst), b.tokens+now.Sub(b.last).Seconds()*l.limit.Rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.limit.Rate * float64(time.Second))
	return false, wait
}

// sweep drops buckets that have refilled completely; it runs at most once
// per refill period.
func (l *limiter) sweep(now time.Time) {
	full := time.Duration(float64(l.limit.Burst) / l.limit.Rate * float64(time.Second))
	if now.Sub(l.swept) < full {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
}

// rateLimited answers 429 with Retry-After when the client is over l.
func (s *Server) rateLimited(l *limiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait := l.allow(c.ClientIP())
		if !ok {
			s.m.limited.Inc()
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			s.renderError(c, errRateLimited)
			return
		}
		c.Next()
	}
}
