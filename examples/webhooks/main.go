// Command webhooks is one HTTP server receiving every vendor's callbacks:
//
//	/waiqin365/push    勤策 push (form POST, md5 digest)      WAIQIN365_PUSH_SECRET
//	/weiling/callback  卫瓴 callback (GET check, AES POST)     WEILING_CALLBACK_TOKEN, WEILING_ENCODING_AES_KEY, WEILING_APP_ID (optional)
//	/jing/webhook      径硕 webhook (JSON POST, shared secret) JING_WEBHOOK_SECRET (in the ?token= query of the URL given to JING)
//
// It listens on CLUEKIT_LISTEN_ADDR (default 127.0.0.1:8080), prints one JSON
// line per received event on stdout (logs go to stderr), and shuts down
// gracefully on SIGINT/SIGTERM. A route whose secrets are not configured
// answers 503, so an unconfigured vendor is never acknowledged by mistake.
//
// A real receiver would persist or enqueue each event here and return at
// once (weiling's deadline is 1 s, waiqin365's 5 s), deduplicating on the
// event's DedupeKey, since vendors redeliver.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/weiling"
)

// config is read from the environment (the variables of the README table).
type config struct {
	Addr                string
	Waiqin365PushSecret string
	WeilingToken        string
	WeilingAESKey       string
	WeilingAppID        string
	JingWebhookSecret   string
}

func configFromEnv() config {
	c := config{
		Addr:                os.Getenv("CLUEKIT_LISTEN_ADDR"),
		Waiqin365PushSecret: os.Getenv("WAIQIN365_PUSH_SECRET"),
		WeilingToken:        os.Getenv("WEILING_CALLBACK_TOKEN"),
		WeilingAESKey:       os.Getenv("WEILING_ENCODING_AES_KEY"),
		WeilingAppID:        os.Getenv("WEILING_APP_ID"),
		JingWebhookSecret:   os.Getenv("JING_WEBHOOK_SECRET"),
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	return c
}

// line is what is printed for each event.
type line struct {
	Time      string          `json:"time"`
	Vendor    string          `json:"vendor"`
	Type      string          `json:"type"`
	DedupeKey string          `json:"dedupe_key"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// printer writes one JSON line per event, one at a time.
type printer struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (p *printer) print(vendor, typ, key string, data json.RawMessage) error {
	if len(data) > 0 && !json.Valid(data) {
		data = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.enc.Encode(line{Time: time.Now().UTC().Format(time.RFC3339Nano), Vendor: vendor, Type: typ, DedupeKey: key, Data: data})
}

// orFail returns h, or a handler answering 500 when the configuration was
// refused (the reason is logged once, at start-up).
func orFail(log *slog.Logger, vendor string, h http.Handler, err error) http.Handler {
	if err == nil {
		return h
	}
	log.Error("route misconfigured: answering 500", "vendor", vendor, "error", err)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, vendor+" receiver misconfigured", http.StatusInternalServerError)
	})
}

// newMux builds the routes. Events are printed to out; problems are logged.
func newMux(c config, out io.Writer, log *slog.Logger) *http.ServeMux {
	p := &printer{enc: json.NewEncoder(out)}
	mux := http.NewServeMux()
	notConfigured := func(vendor, vars string) http.Handler {
		log.Warn("route not configured: answering 503", "vendor", vendor, "set", vars)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, vendor+" receiver not configured", http.StatusServiceUnavailable)
		})
	}

	if c.Waiqin365PushSecret != "" {
		h, err := waiqin365.NewPushHandler(c.Waiqin365PushSecret,
			func(ctx context.Context, push *waiqin365.Push) error {
				return p.print("waiqin365", push.DataType, push.DedupeKey(), push.Data)
			}, waiqin365.WithLogger(log))
		mux.Handle("/waiqin365/push", orFail(log, "waiqin365", h, err))
	} else {
		mux.Handle("/waiqin365/push", notConfigured("waiqin365", "WAIQIN365_PUSH_SECRET"))
	}

	if c.WeilingToken != "" && c.WeilingAESKey != "" {
		opts := []weiling.Option{weiling.WithLogger(log)}
		if c.WeilingAppID != "" {
			opts = append(opts, weiling.WithCallbackAppID(c.WeilingAppID))
		}
		h, err := weiling.NewCallbackHandler(c.WeilingToken, c.WeilingAESKey,
			func(ctx context.Context, e *weiling.Event) error {
				return p.print("weiling", e.Type, e.DedupeKey(), e.Payload)
			}, opts...)
		mux.Handle("/weiling/callback", orFail(log, "weiling", h, err))
	} else {
		mux.Handle("/weiling/callback", notConfigured("weiling", "WEILING_CALLBACK_TOKEN and WEILING_ENCODING_AES_KEY"))
	}

	// JING signs nothing: the receiver is protected by a shared secret in
	// the URL, and is never opened without one.
	if c.JingWebhookSecret != "" {
		h, err := jing.NewWebhookHandler(func(ctx context.Context, e *jing.Event) error {
			return p.print("jing", string(e.EventType), e.DedupeKey(), e.Raw)
		}, jing.WithLogger(log), jing.WithWebhookSecret(c.JingWebhookSecret))
		mux.Handle("/jing/webhook", orFail(log, "jing", h, err))
	} else {
		mux.Handle("/jing/webhook", notConfigured("jing", "JING_WEBHOOK_SECRET"))
	}
	return mux
}

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	c := configFromEnv()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, c, os.Stdout, log); err != nil {
		log.Error("webhooks server failed", "error", err)
		os.Exit(1)
	}
}

// serve runs the server until ctx ends, then drains in-flight requests.
func serve(ctx context.Context, c config, out io.Writer, log *slog.Logger) error {
	srv := &http.Server{
		Addr:              c.Addr,
		Handler:           newMux(c, out, log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", c.Addr, "routes", "/waiqin365/push /weiling/callback /jing/webhook")
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
