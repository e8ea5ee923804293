package server

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kyso-vn/kyso/verify"
)

// metrics are the server's Prometheus metrics, in a registry of its own (no
// process-wide default registry).
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	verdicts  *prometheus.CounterVec
	limited   prometheus.Counter
	verifying prometheus.GaugeFunc
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kyso_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kyso_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kyso_verifications_total",
			Help: "Uploaded documents verified, by indication and sub-indication.",
		}, []string{"indication", "sub_indication"}),
		limited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "kyso_rate_limited_total",
			Help: "Requests refused by the per-client rate limits.",
		}),
	}
	m.verifying = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kyso_verifications_in_progress",
		Help: "Uploads being read or verified now.",
	}, func() float64 { return float64(len(s.slots)) })
	m.reg.MustRegister(m.requests, m.latency, m.verdicts, m.limited, m.verifying,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// instrument records every request under its route pattern (never the raw
// path, which holds credential IDs).
func (m *metrics) instrument() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(c.Writer.Status())).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	}
}

func (m *metrics) verdict(r *verify.Report) {
	m.verdicts.WithLabelValues(string(r.Indication), string(r.SubIndication)).Inc()
}

func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) { h.ServeHTTP(c.Writer, c.Request) }
}
