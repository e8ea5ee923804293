package revocation

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// fetch GETs url (or POSTs body when body is not nil) and returns the body
// of a 200 answer, at most limit bytes.
func (f *Fetcher) fetch(ctx context.Context, url, contentType string, body []byte, limit int64) ([]byte, error) {
	timeout := f.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if f.MaxSize > 0 {
		limit = f.MaxSize
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	method := http.MethodGet
	var rd io.Reader
	if body != nil {
		method, rd = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadResponse, url, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	client := f.HTTP
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s: HTTP %s", ErrUnavailable, url, resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w: %s: %d bytes, more than %d", ErrBadResponse, url, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnavailable, url, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s: more than %d bytes", ErrBadResponse, url, limit)
	}
	return data, nil
}
