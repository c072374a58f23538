package ostest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

// DefaultVersion is the OpenSearch version of the Docker image used when OPENSEARCH_VERSION is
// unset. It equals the version pinned at the top of scripts/opensearch.sh (a test checks this).
const DefaultVersion = "2.19.6"

// imageRepository is the official OpenSearch image.
const imageRepository = "opensearchproject/opensearch"

// Time limits for reaching a cluster.
const (
	pingTimeout        = 10 * time.Second
	dockerPingTimeout  = 5 * time.Second
	dockerStartTimeout = 4 * time.Minute
)

// errUnavailable marks "there is no cluster to test against", as opposed to a cluster that fails.
var errUnavailable = errors.New("no OpenSearch cluster available")

func isUnavailable(err error) bool { return errors.Is(err, errUnavailable) }

// node is the cluster this test process uses, shared by every test in it.
type node struct {
	url    string
	client *opensearchapi.Client

	mu      sync.Mutex
	plugins map[string]bool // nil until listed successfully
}

var (
	sharedOnce sync.Once
	sharedN    *node
	sharedErr  error
)

// sharedNode finds (once per process) the cluster the tests use.
func sharedNode() (*node, error) {
	sharedOnce.Do(func() { sharedN, sharedErr = findNode() })
	return sharedN, sharedErr
}

func findNode() (*node, error) {
	if u := os.Getenv(EnvURL); u != "" {
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		defer cancel()
		n, err := newNode(u)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", EnvURL, redact(u), err)
		}
		if err := n.ping(ctx); err != nil {
			return nil, fmt.Errorf("%s=%s: cluster not reachable: %w", EnvURL, redact(u), err)
		}
		return n, nil
	}
	n, err := dockerNode()
	if err != nil {
		return nil, err
	}
	return n, nil
}

func newNode(rawURL string) (*node, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("not an http(s) URL with a host: %q", redact(rawURL))
	}
	c, err := opensearchapi.NewClient(opensearchapi.Config{Client: opensearch.Config{Addresses: []string{rawURL}}})
	if err != nil {
		return nil, fmt.Errorf("creating client: %w", err)
	}
	return &node{url: rawURL, client: c}, nil
}

// ping checks that the cluster answers and is at least yellow.
func (n *node) ping(ctx context.Context) error {
	var health struct {
		Status string `json:"status"`
	}
	if err := do(ctx, n.client, "GET", "/_cluster/health?wait_for_status=yellow&timeout=5s", nil, &health); err != nil {
		return err
	}
	if health.Status != "yellow" && health.Status != "green" {
		return fmt.Errorf("cluster health is %q, want yellow or green", health.Status)
	}
	return nil
}

// pluginSet returns the component names of the plugins the cluster runs (listed once, then cached).
func (n *node) pluginSet(ctx context.Context) (map[string]bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.plugins != nil {
		return n.plugins, nil
	}
	resp, err := n.client.Cat.Plugins(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("GET /_cat/plugins: %w", err)
	}
	set := make(map[string]bool, len(resp.Plugins))
	for _, p := range resp.Plugins {
		set[p.Component] = true
	}
	n.plugins = set
	return set, nil
}

// dockerNode starts (or reuses) a container of the official image with security disabled. The
// container is named after the version and reused by later test processes; it is left running.
func dockerNode() (*node, error) {
	hint := fmt.Sprintf("start one with `make opensearch-up` and run the tests with %s=http://127.0.0.1:9200 "+
		"(%s=1 makes this a failure)", EnvURL, EnvRequire)
	pool, err := dockertest.NewPool("")
	if err != nil {
		return nil, fmt.Errorf("%w: %s is unset and there is no Docker client (%v); %s", errUnavailable, EnvURL, err, hint)
	}
	ctx, cancel := context.WithTimeout(context.Background(), dockerPingTimeout)
	defer cancel()
	if err := pool.Client.PingWithContext(ctx); err != nil {
		return nil, fmt.Errorf("%w: %s is unset and no Docker engine answers (%v); %s", errUnavailable, EnvURL, err, hint)
	}

	version := os.Getenv("OPENSEARCH_VERSION")
	if version == "" {
		version = DefaultVersion
	}
	name := "ckos-ostest-opensearch-" + version
	res, ok := pool.ContainerByName(name)
	if ok && !res.Container.State.Running {
		if err := pool.RemoveContainerByName(name); err != nil {
			return nil, fmt.Errorf("removing stopped container %s: %w", name, err)
		}
		ok = false
	}
	if !ok {
		res, err = pool.RunWithOptions(&dockertest.RunOptions{
			Name:       name,
			Repository: imageRepository,
			Tag:        version,
			Env: []string{
				"discovery.type=single-node",
				"DISABLE_SECURITY_PLUGIN=true",
				"DISABLE_INSTALL_DEMO_CONFIG=true",
				"OPENSEARCH_JAVA_OPTS=-Xms512m -Xmx512m",
				"cluster.routing.allocation.disk.threshold_enabled=false",
				"plugins.index_state_management.job_interval=1",
				"plugins.index_state_management.jitter=0",
			},
			ExposedPorts: []string{"9200/tcp"},
			Labels:       map[string]string{"ckos.ostest": "1"},
		}, func(hc *docker.HostConfig) {
			hc.AutoRemove = true
			hc.RestartPolicy = docker.RestartPolicy{Name: "no"}
		})
		if err != nil {
			// Another test process may have created it a moment ago: use that one.
			var found bool
			if res, found = pool.ContainerByName(name); !found {
				return nil, fmt.Errorf("starting container %s:%s: %w", imageRepository, version, err)
			}
		} else {
			fmt.Fprintf(os.Stderr, "ostest: started container %s (%s:%s); later test runs reuse it; "+
				"remove it with: docker rm -f %s\n", name, imageRepository, version, name)
		}
	}
	hostPort := res.GetHostPort("9200/tcp")
	if hostPort == "" {
		return nil, fmt.Errorf("container %s publishes no port for 9200/tcp", name)
	}
	n, err := newNode("http://" + hostPort)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", name, err)
	}
	pool.MaxWait = dockerStartTimeout
	if err := pool.Retry(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		defer cancel()
		return n.ping(ctx)
	}); err != nil {
		return nil, fmt.Errorf("container %s at %s not ready within %s: %w", name, n.url, dockerStartTimeout, err)
	}
	return n, nil
}

// redact hides the password of a URL's user info.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		if i := strings.LastIndex(rawURL, "@"); i >= 0 {
			return "…" + rawURL[i:]
		}
		return rawURL
	}
	return u.Redacted()
}
