package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// rate sends n requests of kind k and returns requests per second. With
// bare set, the same requests (method, headers, body) go to the bare
// handler instead, so the ratio compares the servers, not the requests.
func rate(ctx context.Context, cfg config, c *client, k kind, n int, bare bool) (float64, error) {
	auths := make([]string, n)
	if k == kindOAuth1 && !bare {
		if err := presign(c, cfg.workers, auths); err != nil {
			return 0, err
		}
	}
	if k == kindOAuth1 && bare { // one real signature: the bare handler checks nothing
		a, err := c.signer.authorization(c.restURL(), c.mockNow())
		if err != nil {
			return 0, err
		}
		for i := range auths {
			auths[i] = a
		}
	}
	d, err := fire(ctx, c, cfg.workers, n, func(i int) (*http.Request, error) {
		req, err := c.request(k, auths[i])
		if err == nil && bare {
			err = c.toBare(req)
		}
		return req, err
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", kindNames[k], err)
	}
	return float64(n) / d.Seconds(), nil
}

// presign fills auths with OAuth 1 headers, in parallel, so that the
// client's RSA signing is not measured as the mock's time.
func presign(c *client, workers int, auths []string) error {
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(auths); i += workers {
				var err error
				if auths[i], err = c.signer.authorization(c.restURL(), c.mockNow()); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// throughputPairs is how many alternating (bare, target) bursts each
// ratio is the median of: the machine's load drifts (other jobs share the
// cores), and a burst of each taken back to back sees the same load.
const throughputPairs = 5

// throughput measures each kind against the bare handler in alternating
// bursts and reports the median ratio, with the median rates.
func throughput(ctx context.Context, cfg config, c *client) (bool, error) {
	for _, k := range []kind{kindBare, kindToken, kindOAuth1, kindGit} { // warm up
		if _, err := rate(ctx, cfg, c, k, 200, false); err != nil {
			return false, err
		}
	}
	ok := true
	for _, k := range []kind{kindToken, kindOAuth1, kindGit} {
		var bares, gots, ratios []float64
		for range throughputPairs {
			bare, err := rate(ctx, cfg, c, k, max(cfg.counts[kindBare]/throughputPairs, 1), true)
			if err != nil {
				return false, err
			}
			got, err := rate(ctx, cfg, c, k, max(cfg.counts[k]/throughputPairs, 1), false)
			if err != nil {
				return false, err
			}
			bares, gots, ratios = append(bares, bare), append(gots, got), append(ratios, got/bare)
		}
		ratio := median(ratios)
		verdict := ""
		if k == kindToken {
			verdict = fmt.Sprintf("  (want >= %.2fx: %s)", minTokenRatio, passFail(ratio >= minTokenRatio))
			ok = ratio >= minTokenRatio
		}
		fmt.Printf("%-28s %8.0f req/s = %.3fx bare (%.0f req/s for the same requests; medians of %d alternating bursts)%s\n",
			kindNames[k], median(gots), ratio, median(bares), throughputPairs, verdict)
	}
	return ok, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// memory sends cfg.total mixed requests in rounds, advancing the mock's
// clock after each round past every lifetime (an hours-long suite in a
// minute), and reads the mock's RSS after cfg.firstMark and at the end.
func memory(ctx context.Context, cfg config, c *client, mock *proc) (bool, error) {
	var plan []kind
	for _, k := range []kind{kindToken, kindOAuth1, kindGit} {
		for range cfg.mix[k] {
			plan = append(plan, k)
		}
	}
	start := time.Now()
	var firstKB int
	for done := 0; done < cfg.total; {
		n := min(cfg.round, cfg.total-done)
		if done < cfg.firstMark {
			n = min(n, cfg.firstMark-done)
		}
		base := done
		if _, err := fire(ctx, c, cfg.workers, n, func(i int) (*http.Request, error) {
			return c.request(plan[(base+i)%len(plan)], "")
		}); err != nil {
			return false, fmt.Errorf("mixed load after %d requests: %w", done, err)
		}
		done += n
		if done == cfg.firstMark {
			kb, err := mock.rssKB("VmRSS")
			if err != nil {
				return false, err
			}
			firstKB = kb
		}
		if err := c.advance(cfg.advance); err != nil {
			return false, err
		}
		if err := c.newToken(); err != nil {
			return false, err
		}
	}
	lastKB, err := mock.rssKB("VmRSS")
	if err != nil {
		return false, err
	}
	peakKB, err := mock.rssKB("VmHWM")
	if err != nil {
		return false, err
	}
	growth := float64(lastKB-firstKB) / 1024
	ok := growth < maxGrowthMB
	fmt.Printf("mixed load (token:oauth1:git = %d:%d:%d, clock +%s every %d): %d requests in %.1fs\n",
		cfg.mix[kindToken], cfg.mix[kindOAuth1], cfg.mix[kindGit], cfg.advance, cfg.round, cfg.total, time.Since(start).Seconds())
	fmt.Printf("mock RSS after %d mixed requests: %.1f MB\n", cfg.firstMark, float64(firstKB)/1024)
	fmt.Printf("mock RSS after %d mixed requests: %.1f MB (grew %.1f MB, want < %.0f MB: %s; peak %.1f MB)\n",
		cfg.total, float64(lastKB)/1024, growth, maxGrowthMB, passFail(ok), float64(peakKB)/1024)
	return ok, nil
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
