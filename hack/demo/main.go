/*
Copyright 2026 The imagestream-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Command demo is `make demo`: the seed's story, told on the local environment of `make run`
// (the module-built control plane, a local registry and bin/manager with its webhooks). Each
// step runs real kubectl and `kubectl imagestream` commands, prints them with their output,
// and then checks that the cluster shows what the step says; the demo exits 1 at the first
// step that does not. Everything it started is stopped when it ends.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/localcluster"
)

// namespace is where the demo's objects live.
const namespace = "demo"

// stepTimeout bounds the wait for the cluster to show what a step says.
const stepTimeout = 90 * time.Second

// scheduledInterval is the operator's --scheduled-import-interval in the demo (15m by
// default), so that the scheduled import is seen within a step.
const scheduledInterval = 10 * time.Second

func main() {
	var opts localcluster.Options
	flag.StringVar(&opts.BinDir, "bin-dir", "bin", "Where `make controlplane` and `make build` put their binaries.")
	flag.StringVar(&opts.ConfigDir, "config-dir", "config", "The repository's config/ directory.")
	flag.StringVar(&opts.Dir, "dir", filepath.Join(os.TempDir(), "imagestream-operator-demo"),
		"Where the kubeconfig, the operator's log and the control-plane logs are written.")
	flag.Parse()
	if err := run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "\nDEMO FAILED:", err)
		os.Exit(1)
	}
}

// demo is the state the steps share.
type demo struct {
	env    *localcluster.Environment
	client client.Client
	// kubectlEnv is the environment of the commands: the local kubeconfig, and bin/ first
	// on PATH so that kubectl finds the plugin.
	kubectlEnv []string
	// digests of demo/hello's tags in the registry, and of the versions the demo pushes.
	digests map[string]string
	passed  []string
}

func run(opts localcluster.Options) (err error) {
	binDir, err := filepath.Abs(opts.BinDir)
	if err != nil {
		return err
	}
	opts.BinDir = binDir
	for _, bin := range []string{"manager", "kubectl-imagestream"} {
		if _, err := os.Stat(filepath.Join(binDir, bin)); err != nil {
			return fmt.Errorf("%s not found in %s: run `make build` first", bin, binDir)
		}
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return err
	}
	logPath := filepath.Join(opts.Dir, "operator.log")
	operatorLog, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer operatorLog.Close()
	probe, err := freeAddress()
	if err != nil {
		return err
	}

	fmt.Println("Starting a local control plane, a registry holding demo/hello:1.0, :1.1 and :latest (= 1.1),")
	fmt.Printf("and bin/manager with its webhooks (log: %s)...\n", logPath)
	env, err := localcluster.StartEnvironment(localcluster.EnvironmentOptions{
		Options: opts,
		Manager: filepath.Join(binDir, "manager"),
		ManagerArgs: []string{
			"--health-probe-bind-address=" + probe, "--metrics-bind-address=0",
			"--scheduled-import-interval=" + scheduledInterval.String(),
		},
		ManagerOutput: operatorLog,
	})
	if err != nil {
		return err
	}
	defer func() {
		err = errors.Join(err, env.Stop())
		fmt.Println("Stopped the operator, the control plane and the registry.")
	}()

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := imagev1.AddToScheme(scheme); err != nil {
		return err
	}
	c, err := client.New(env.Cluster.Config, client.Options{Scheme: scheme})
	if err != nil {
		return err
	}
	d := &demo{
		env:    env,
		client: c,
		kubectlEnv: append(os.Environ(), "KUBECONFIG="+env.Cluster.Kubeconfig,
			"PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH")),
		digests: env.SampleDigests,
	}
	if err := d.waitReady(probe); err != nil {
		return err
	}
	if err := c.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		return err
	}
	for _, s := range d.steps() {
		if err := d.runStep(s); err != nil {
			return fmt.Errorf("step %q: %w (the operator's log: %s)", s.title, err, logPath)
		}
	}
	fmt.Printf("\nAll %d steps did what they said:\n", len(d.passed))
	for i, title := range d.passed {
		fmt.Printf("  %d. %s\n", i+1, title)
	}
	return nil
}

// step is one part of the story: a title, what to do, and what must then hold.
type step struct {
	title string
	// do runs the step's commands.
	do func() error
	// check is polled until it returns nil or stepTimeout passes; its last error fails
	// the step.
	check func(ctx context.Context) error
}

func (d *demo) steps() []step {
	reg := d.env.Registry.Host
	return []step{{
		title: "Create an image stream: its tags are imported from the registry",
		do: func() error {
			return d.kubectl("apply", "-n", namespace, "-f", d.env.SampleStream)
		},
		check: func(ctx context.Context) error {
			for _, tag := range []string{"1.0", "latest"} {
				if _, err := d.currentImage(ctx, tag); err != nil {
					return err
				}
			}
			return d.kubectl("get", "imagestream", "hello", "-n", namespace)
		},
	}, {
		title: "Import another image with the plugin",
		do: func() error {
			return d.kubectl("imagestream", "import", "hello:1.1", "-n", namespace,
				"--from="+reg+"/demo/hello:1.1", "--insecure", "--confirm")
		},
		check: func(ctx context.Context) error {
			return d.expectImage(ctx, "1.1", d.digests["1.1"])
		},
	}, {
		title: "Tag an image of the stream: stable gets 1.0's image",
		do: func() error {
			return d.kubectl("imagestream", "tag", "hello:1.0", "hello:stable", "-n", namespace)
		},
		check: func(ctx context.Context) error {
			return d.expectImage(ctx, "stable", d.digests["1.0"])
		},
	}, {
		title: "Alias a tag: prod tracks latest",
		do: func() error {
			return d.kubectl("imagestream", "tag", "hello:latest", "hello:prod", "--alias", "-n", namespace)
		},
		check: func(ctx context.Context) error {
			return d.expectImage(ctx, "prod", d.digests["1.1"])
		},
	}, {
		title: "A Deployment follows hello:prod through an image change trigger",
		do: func() error {
			if err := d.kubectl("create", "deployment", "web", "--image=busybox", "-n", namespace); err != nil {
				return err
			}
			return d.kubectl("imagestream", "set", "triggers", "deployment/web", "--from-image=hello:prod", "-c", "busybox", "-n", namespace)
		},
		check: func(ctx context.Context) error {
			return d.expectRollout(ctx, d.digests["1.1"])
		},
	}, {
		title: "Scheduled import: a new upstream image of latest is picked up, prod and the Deployment follow",
		do: func() error {
			fmt.Printf("$ # push hello 1.2 to %s/demo/hello:latest; the operator re-checks latest every %s\n", reg, scheduledInterval)
			digest, err := d.env.Registry.PushSample("demo/hello", "latest", "1.2")
			d.digests["1.2"] = digest.String()
			return err
		},
		check: func(ctx context.Context) error {
			for _, tag := range []string{"latest", "prod"} {
				if err := d.expectImage(ctx, tag, d.digests["1.2"]); err != nil {
					return err
				}
			}
			if err := d.expectRollout(ctx, d.digests["1.2"]); err != nil {
				return err
			}
			return d.kubectl("imagestream", "history", "hello:latest", "-n", namespace)
		},
	}, {
		title: "Roll back latest to its previous image: the Deployment follows it back",
		do: func() error {
			return d.kubectl("imagestream", "rollback", "hello:latest", "-n", namespace)
		},
		check: func(ctx context.Context) error {
			if err := d.expectImage(ctx, "latest", d.digests["1.1"]); err != nil {
				return err
			}
			if err := d.expectRollout(ctx, d.digests["1.1"]); err != nil {
				return err
			}
			return d.kubectl("imagestream", "describe", "istag", "hello:latest", "-n", namespace)
		},
	}, {
		title: "Local lookup: a pod asking for hello:1.0 runs its digest",
		do: func() error {
			return d.kubectl("run", "hello", "--image=hello:1.0", "--restart=Never", "-n", namespace)
		},
		check: func(ctx context.Context) error {
			pod := &corev1.Pod{}
			if err := d.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "hello"}, pod); err != nil {
				return err
			}
			want := reg + "/demo/hello@" + d.digests["1.0"]
			if got := pod.Spec.Containers[0].Image; got != want {
				return fmt.Errorf("the pod's image is %s, want %s", got, want)
			}
			return d.kubectl("get", "pod", "hello", "-n", namespace, "-o", "jsonpath={.spec.containers[0].image}{\"\\n\"}")
		},
	}}
}

// runStep prints the step's title, runs it and waits for its check.
func (d *demo) runStep(s step) error {
	fmt.Printf("\n==> %d. %s\n", len(d.passed)+1, s.title)
	if err := s.do(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	var last error
	// The check's commands print only once it holds: first it is tried quietly.
	for {
		if last = d.quietly(ctx, s.check); last == nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not seen within %s: %w", stepTimeout, last)
		case <-d.env.Exited():
			return fmt.Errorf("the operator exited: %w", d.env.OperatorErr())
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	fmt.Println("    ok")
	d.passed = append(d.passed, s.title)
	return nil
}

// quiet, when set, makes kubectl run its commands without printing them.
var quiet bool

// quietly runs check with kubectl's printing off.
func (d *demo) quietly(ctx context.Context, check func(context.Context) error) error {
	quiet = true
	defer func() { quiet = false }()
	return check(ctx)
}

// kubectl runs kubectl with args against the local cluster, printing the command and its
// output unless quiet.
func (d *demo) kubectl(args ...string) error {
	cmd := exec.Command("kubectl", args...)
	cmd.Env = d.kubectlEnv
	out, err := cmd.CombinedOutput()
	if !quiet {
		fmt.Printf("$ kubectl %s\n%s", strings.Join(args, " "), indentOutput(out))
	}
	if err != nil {
		return fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// indentOutput returns out with a final newline.
func indentOutput(out []byte) string {
	s := string(out)
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// currentImage returns the image (digest) of the newest history item of a tag of hello.
func (d *demo) currentImage(ctx context.Context, tag string) (string, error) {
	is := &imagev1.ImageStream{}
	if err := d.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "hello"}, is); err != nil {
		return "", err
	}
	event := imagestream.LatestEvent(&is.Status, tag)
	if event == nil || event.Image == "" {
		return "", fmt.Errorf("tag %s has no image yet", tag)
	}
	return event.Image, nil
}

// expectImage checks that a tag of hello points to digest.
func (d *demo) expectImage(ctx context.Context, tag, digest string) error {
	got, err := d.currentImage(ctx, tag)
	if err != nil {
		return err
	}
	if got != digest {
		return fmt.Errorf("hello:%s points to %s, want %s", tag, got, digest)
	}
	return nil
}

// expectRollout checks that the Deployment web runs digest and that a ReplicaSet for it
// exists (kube-controller-manager rolled it out).
func (d *demo) expectRollout(ctx context.Context, digest string) error {
	want := d.env.Registry.Host + "/demo/hello@" + digest
	dep := &appsv1.Deployment{}
	if err := d.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: "web"}, dep); err != nil {
		return err
	}
	if got := dep.Spec.Template.Spec.Containers[0].Image; got != want {
		return fmt.Errorf("deployment/web runs %s, want %s", got, want)
	}
	sets := &appsv1.ReplicaSetList{}
	if err := d.client.List(ctx, sets, client.InNamespace(namespace)); err != nil {
		return err
	}
	for _, rs := range sets.Items {
		if rs.Spec.Template.Spec.Containers[0].Image == want {
			return d.kubectl("get", "deployment,replicasets", "-n", namespace,
				"-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image")
		}
	}
	return fmt.Errorf("no ReplicaSet of deployment/web runs %s yet", want)
}

// waitReady waits until the operator's readiness probe at addr answers 200: its webhook
// certificate is trusted by the API server.
func (d *demo) waitReady(addr string) error {
	err := wait.PollUntilContextTimeout(context.Background(), 250*time.Millisecond, stepTimeout, true, func(context.Context) (bool, error) {
		select {
		case <-d.env.Exited():
			return false, fmt.Errorf("the operator exited: %w", d.env.OperatorErr())
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false, nil
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
	if wait.Interrupted(err) {
		return fmt.Errorf("the operator was not ready within %s", stepTimeout)
	}
	return err
}

// freeAddress returns a loopback address with a port that was free a moment ago.
func freeAddress() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
