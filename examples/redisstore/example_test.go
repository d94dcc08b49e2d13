package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cluekit/cluekit/examples/redisstore"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/wshoto"
)

// Every replica of the service builds its client on the same store: the
// replicas share one access token, and a cold cache costs one token
// request for all of them.
func ExampleNewTokenStore() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	store := redisstore.NewTokenStore(rdb,
		redisstore.WithPrefix("crm-sync:"),    // keys crm-sync:wshoto:<appid> and its :lock
		redisstore.WithLogger(slog.Default())) // Redis outages, once each
	c, err := wshoto.New(os.Getenv("WSHOTO_APP_ID"), os.Getenv("WSHOTO_APP_SECRET"), wshoto.WithTokenStore(store))
	if err != nil {
		log.Fatal(err)
	}
	tok, err := c.AccessToken(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(tok) > 0)
}

// Every replica paces its calls through the same key: together they stay
// within the vendor's quota (here 10 requests a second, no burst).
func ExampleNewLimiter() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	openID := os.Getenv("WAIQIN365_OPENID")
	lim := redisstore.NewLimiter(rdb, "waiqin365:"+openID, 10, 1)
	c, err := waiqin365.New(openID, os.Getenv("WAIQIN365_APP_KEY"), waiqin365.WithLimiter(lim))
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.AddSalesLeads(context.Background(), &waiqin365.AddSalesLeadsRequest{
		PoolName: "公海", Code: "WEB-20260101-0001", CusName: "示例客户", Linkman: "张三",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", res)
}

// Every replica's handler deduplicates through the same prefix: an event
// is handled once, whichever replica receives it and however often.
func ExampleNewDeduper() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	d := redisstore.NewDeduper(rdb, "crm-sync:callbacks:", 7*24*time.Hour)
	h, err := weiling.NewCallbackHandler(os.Getenv("WEILING_CALLBACK_TOKEN"), os.Getenv("WEILING_ENCODING_AES_KEY"),
		func(ctx context.Context, e *weiling.Event) error {
			// Persist or enqueue, and return fast (weiling waits 1 s). An
			// error makes the vendor deliver again, and the event runs again.
			log.Printf("event %s about %s", e.Type, e.EntityID())
			return nil
		},
		weiling.WithDeduper(d))
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/callbacks/weiling", h)
	log.Fatal(http.ListenAndServe(":8080", nil))
}
