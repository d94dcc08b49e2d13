// Command quickstart runs every vendor's lead lifecycle, plus one callback
// per vendor that has callbacks, against the built-in fake servers (or, with
// -live, the real vendors whose environment variables are set), then prints
// a summary table. It exits non-zero if any vendor failed.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/cluekit/cluekit/examples/internal/run"
)

func main() {
	live := flag.Bool("live", false, "run against the real vendors whose credentials are set")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	vendors := run.Vendors()
	results := make([]run.Result, 0, len(vendors))
	for _, v := range vendors {
		results = append(results, run.Run(ctx, v, os.Stdout, os.Getenv, *live || run.LiveRequested()))
	}
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VENDOR\tMODE\tCALLS\tRETRIES\tTOKEN REQUESTS\tCALLBACKS\tTIME\tRESULT")
	failed := 0
	for _, r := range results {
		result := "ok"
		if r.Err != nil {
			result = "FAILED: " + r.Err.Error()
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", r.Vendor, r.Mode, r.Calls, r.Retries, r.TokenRequests, r.Callbacks, r.Elapsed.Round(time.Millisecond), result)
	}
	_ = tw.Flush()
	fmt.Printf("\n%s, %d failed, %s\n", run.Plural(len(results), "vendor"), failed, time.Since(start).Round(time.Millisecond))
	if failed > 0 || len(results) == 0 {
		os.Exit(1)
	}
}
