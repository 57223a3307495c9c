package mockserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"
)

// Running is a mock serving on two loopback listeners.
type Running struct {
	CloudURL  string // e.g. http://127.0.0.1:41001
	ServerURL string // e.g. http://127.0.0.1:41002/bitbucket (context path included)
	CAFile    string // with Options.TLSDir: the CA certificate (PEM) that signed both listeners
	Mock      *Mock

	tlsConfig *tls.Config // clients' view: trusts the generated CA
	servers   []*http.Server
	done      chan error
}

// Start builds a mock and serves it: the Cloud side on cloudAddr and the
// Server/DC side on serverAddr ("" = 127.0.0.1:0). Only loopback addresses
// are accepted. With opts.TLSDir both listeners speak HTTPS with a certificate
// from a generated CA written to TLSDir/ca.pem.
func Start(opts Options, cloudAddr, serverAddr string) (*Running, error) {
	cloudAddr, err := loopbackAddr(cloudAddr)
	if err != nil {
		return nil, fmt.Errorf("cloud address: %w", err)
	}
	serverAddr, err = loopbackAddr(serverAddr)
	if err != nil {
		return nil, fmt.Errorf("server address: %w", err)
	}
	m, err := New(opts)
	if err != nil {
		return nil, err
	}
	run := &Running{Mock: m}
	var serverTLS *tls.Config
	if opts.TLSDir != "" {
		serverTLS, run.tlsConfig, err = generateTLS(opts.TLSDir)
		if err != nil {
			m.Close()
			return nil, err
		}
		run.CAFile = filepath.Join(opts.TLSDir, "ca.pem")
	}
	cl, err := net.Listen("tcp", cloudAddr)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("listen cloud: %w", err)
	}
	sl, err := net.Listen("tcp", serverAddr)
	if err != nil {
		cl.Close()
		m.Close()
		return nil, fmt.Errorf("listen server: %w", err)
	}
	scheme := "http"
	if serverTLS != nil {
		scheme = "https"
		cl = tls.NewListener(cl, serverTLS)
		sl = tls.NewListener(sl, serverTLS)
	}
	run.CloudURL = scheme + "://" + cl.Addr().String()
	run.ServerURL = scheme + "://" + sl.Addr().String() + m.ContextPath()
	run.done = make(chan error, 2)
	for _, p := range []struct {
		l net.Listener
		h http.Handler
	}{{cl, m.CloudHandler()}, {sl, m.ServerHandler()}} {
		srv := &http.Server{Handler: p.h, ReadHeaderTimeout: 30 * time.Second, ErrorLog: nil}
		run.servers = append(run.servers, srv)
		go func(l net.Listener) {
			err := srv.Serve(l)
			if errors.Is(err, http.ErrServerClosed) {
				err = nil
			}
			run.done <- err
		}(p.l)
	}
	return run, nil
}

// HTTPClient returns a client that trusts the mock's CA (a plain client
// without TLS).
func (r *Running) HTTPClient() *http.Client {
	if r.tlsConfig == nil {
		return &http.Client{Timeout: 30 * time.Second}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = r.tlsConfig.Clone()
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// Close stops both listeners (hanging requests are released first) and
// removes temporary repositories.
func (r *Running) Close() error {
	r.Mock.core.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, s := range r.servers {
		if err := s.Shutdown(ctx); err != nil {
			s.Close()
		}
	}
	for range r.servers {
		if err := <-r.done; err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, r.Mock.Close())
	return errors.Join(errs...)
}

// loopbackAddr checks that addr is a loopback host:port; "" means 127.0.0.1:0.
func loopbackAddr(addr string) (string, error) {
	if addr == "" {
		return "127.0.0.1:0", nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%q: %w", addr, err)
	}
	switch host {
	case "localhost":
		return net.JoinHostPort("127.0.0.1", port), nil
	case "":
		return "", fmt.Errorf("%q listens on every interface; give a loopback host such as 127.0.0.1", addr)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("%q is not a loopback address; the mock listens on loopback only", addr)
	}
	return addr, nil
}
