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

package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	// Import all Kubernetes client auth plugins (e.g. Azure, GCP, OIDC, etc.)
	// to ensure that exec-entrypoint and run can make use of them.
	_ "k8s.io/client-go/plugin/pkg/client/auth"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"k8s.io/utils/clock"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/controller"
	"github.com/imagestreams/imagestream-operator/internal/localcluster"
	"github.com/imagestreams/imagestream-operator/internal/notification"
	"github.com/imagestreams/imagestream-operator/internal/registry"
	"github.com/imagestreams/imagestream-operator/internal/webhook/certs"
	webhookv1 "github.com/imagestreams/imagestream-operator/internal/webhook/v1"
	// +kubebuilder:scaffold:imports
)

var (
	scheme   = runtime.NewScheme()
	setupLog = ctrl.Log.WithName("setup")
)

func init() {
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))

	utilruntime.Must(imagev1.AddToScheme(scheme))
	// +kubebuilder:scaffold:scheme
}

// nolint:gocyclo
func main() {
	var metricsAddr string
	var metricsCertPath, metricsCertName, metricsCertKey string
	var webhookCertPath, webhookCertName, webhookCertKey string
	var webhookPort int
	var enableLeaderElection bool
	var probeAddr string
	var secureMetrics bool
	var enableHTTP2 bool
	var tlsOpts []func(*tls.Config)
	var streams controller.ImageStreamOptions
	var imports controller.ImageStreamImportOptions
	var importer registry.Options
	var platform string
	var scheduledInterval time.Duration
	var scheduledPerMinute int
	var triggerResources []string
	flag.Func("trigger-resources", "Comma-separated extra resources with a pod template at spec.template whose image change triggers "+
		"are followed, as <resource>.<group>/<version>, e.g. rollouts.argoproj.io/v1alpha1 (grant the operator get, list, watch "+
		"and patch on them). Deployments, StatefulSets, DaemonSets and CronJobs are always followed.", commaList(&triggerResources))
	flag.DurationVar(&scheduledInterval, "scheduled-import-interval", 15*time.Minute,
		"How often tags with importPolicy.scheduled are re-checked; each stream at its own phase of the interval. 0 disables scheduled import.")
	flag.IntVar(&scheduledPerMinute, "max-scheduled-imports-per-minute", 60,
		"Cluster-wide cap on scheduled re-checks of streams per minute. 0 means no cap.")
	flag.StringVar(&streams.RegistryHostname, "registry-hostname", "",
		"Hostname of the integrated registry: status.dockerImageRepository becomes <hostname>/<namespace>/<stream> "+
			"and referencePolicy Local resolves through it. Empty: no integrated registry.")
	flag.StringVar(&streams.PublicRegistryHostname, "public-registry-hostname", "",
		"Public hostname of the integrated registry, for status.publicDockerImageRepository.")
	flag.IntVar(&streams.MaxTagHistory, "max-tag-history", 25,
		"Items kept in each tag's history (oldest trimmed first, with an event). 0 keeps all.")
	flag.DurationVar(&streams.RetryInterval, "import-retry-interval", 5*time.Minute,
		"Wait before retrying a tag whose import failed with a transient error (timeout, 5xx, rate limit without Retry-After).")
	flag.DurationVar(&imports.TTL, "import-request-ttl", time.Hour,
		"How long a processed ImageStreamImport is kept before it is deleted.")
	flag.IntVar(&streams.MaxImagesBulkImportedPerRepository, "max-images-bulk-imported-per-repository", 50,
		"Tags imported from a whole repository (spec.dockerImageRepository, ImageStreamImport spec.repository); "+
			"the rest are listed as additionalTags. 0 means no limit.")
	flag.DurationVar(&importer.RequestTimeout, "registry-request-timeout", 30*time.Second, "Timeout of one registry request.")
	flag.Int64Var(&importer.MaxManifestBytes, "max-manifest-bytes", 4<<20, "Largest manifest or index an import reads.")
	flag.Int64Var(&importer.MaxConfigBytes, "max-config-bytes", 8<<20, "Largest image config an import reads.")
	flag.Func("allowed-registries", "Comma-separated registry host globs imports may use, e.g. 'quay.io,*.example.com,registry.local:5000'; "+
		"a pattern without a port means port 443, ':*' any port. Empty: every registry not blocked.", commaList(&importer.AllowedRegistries))
	flag.Func("blocked-registries", "Comma-separated registry host globs imports may not use; blocked wins over allowed. "+
		"Link-local and cloud metadata addresses are always refused.", commaList(&importer.BlockedRegistries))
	flag.Func("registry-mirrors", "Comma-separated mirrors tried before the registries they mirror, as <source>[/<path>]=[http://]<mirror>[/<path>], "+
		"e.g. 'docker.io=mirror.local:5000,quay.io/org=http://10.0.0.5:5000/org' (http:// allows plain HTTP and unverified TLS). "+
		"Streams keep the source's pull specs; nodes pull through their own mirror configuration.", func(value string) error {
		var mirrors []string
		if err := commaList(&mirrors)(value); err != nil {
			return err
		}
		for _, m := range mirrors {
			mirror, err := registry.ParseMirror(m)
			if err != nil {
				return err
			}
			importer.Mirrors = append(importer.Mirrors, mirror)
		}
		return nil
	})
	flag.StringVar(&importer.MirrorSourcePolicy, "mirror-source-policy", registry.AllowContactingSource,
		"With --registry-mirrors: "+registry.AllowContactingSource+" tries the source when no mirror has the image, "+
			registry.NeverContactSource+" imports from the mirrors only.")
	flag.Float64Var(&importer.RegistryQPS, "registry-qps", registry.DefaultRegistryQPS,
		"Requests per second to one registry host, shared by all streams. Negative: unlimited.")
	flag.IntVar(&importer.RegistryBurst, "registry-burst", registry.DefaultRegistryBurst, "Burst of requests to one registry host.")
	flag.IntVar(&importer.MaxConcurrentRequestsPerRegistry, "max-concurrent-requests-per-registry",
		registry.DefaultMaxConcurrentRequestsPerRegistry, "Requests in flight to one registry host. Negative: unlimited.")
	flag.StringVar(&platform, "control-plane-platform", "",
		"OS/architecture (e.g. linux/arm64) that Legacy imports of manifest lists prefer when a tag names none. "+
			"Empty: what the control-plane nodes report, else the operator's own.")
	flag.StringVar(&metricsAddr, "metrics-bind-address", "0", "The address the metrics endpoint binds to. "+
		"Use :8443 for HTTPS or :8080 for HTTP, or leave as 0 to disable the metrics service.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	flag.BoolVar(&enableLeaderElection, "leader-elect", false,
		"Enable leader election for controller manager. "+
			"Enabling this will ensure there is only one active controller manager.")
	flag.BoolVar(&secureMetrics, "metrics-secure", true,
		"If set, the metrics endpoint is served securely via HTTPS. Use --metrics-secure=false to use HTTP instead.")
	flag.StringVar(&webhookCertPath, "webhook-cert-path", "", "The directory that contains the webhook certificate.")
	flag.StringVar(&webhookCertName, "webhook-cert-name", "tls.crt", "The name of the webhook certificate file.")
	flag.StringVar(&webhookCertKey, "webhook-cert-key", "tls.key", "The name of the webhook key file.")
	flag.IntVar(&webhookPort, "webhook-port", 9443, "Port the webhook server listens on. "+
		"Defaults to 9443. Set -1 to disable the webhook server.")
	flag.StringVar(&metricsCertPath, "metrics-cert-path", "",
		"The directory that contains the metrics server certificate.")
	flag.StringVar(&metricsCertName, "metrics-cert-name", "tls.crt", "The name of the metrics server certificate file.")
	flag.StringVar(&metricsCertKey, "metrics-cert-key", "tls.key", "The name of the metrics server key file.")
	flag.BoolVar(&enableHTTP2, "enable-http2", false,
		"If set, HTTP/2 will be enabled for the metrics and webhook servers")
	var webhookCertManagement string
	var webhookCerts certs.Options
	flag.StringVar(&webhookCertManagement, "webhook-cert-management", "self",
		"Who provides the webhook serving certificate: 'self' (the operator makes a CA and a certificate, keeps them in "+
			"--webhook-cert-secret, injects the CA into the webhook configurations and rotates both) or 'external' "+
			"(cert-manager, OLM or another tool mounts it into --webhook-cert-path and injects the CA).")
	webhookCerts.BindFlags(flag.CommandLine)
	var notifications notification.Flags
	notifications.BindFlags(flag.CommandLine)
	opts := zap.Options{
		Development: true,
	}
	opts.BindFlags(flag.CommandLine)
	var local localcluster.Options
	var localMode string
	flag.StringVar(&localMode, "local-cluster", localcluster.ModeOff,
		"off: run against the configured cluster. auto: when no cluster answers, start a local control plane "+
			"(etcd, kube-apiserver, kube-controller-manager from --local-cluster-bin-dir) and registry and run against them "+
			"(`make run`). on: always do so.")
	flag.StringVar(&local.BinDir, "local-cluster-bin-dir", "bin", "Where `make controlplane` put the local control-plane binaries.")
	flag.StringVar(&local.ConfigDir, "local-cluster-config-dir", "config", "The repository's config/ directory (CRDs and webhooks).")
	flag.StringVar(&local.Dir, "local-cluster-dir", filepath.Join(os.TempDir(), "imagestream-operator-local"),
		"Where the local cluster's kubeconfig and logs are written.")
	flag.Parse()
	if wanted, err := localcluster.Wanted(context.Background(), localMode); err != nil || wanted {
		if err == nil {
			err = localcluster.RunManager(localcluster.RunOptions{Options: local, ManagerArgs: os.Args[1:], Out: os.Stdout})
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		return
	}

	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))

	// if the enable-http2 flag is false (the default), http/2 should be disabled
	// due to its vulnerabilities. More specifically, disabling http/2 will
	// prevent from being vulnerable to the HTTP/2 Stream Cancellation and
	// Rapid Reset CVEs. For more information see:
	// - https://github.com/advisories/GHSA-qppj-fm5r-hxr3
	// - https://github.com/advisories/GHSA-4374-p667-p6c8
	disableHTTP2 := func(c *tls.Config) {
		setupLog.Info("Disabling HTTP/2")
		c.NextProtos = []string{"http/1.1"}
	}

	if !enableHTTP2 {
		tlsOpts = append(tlsOpts, disableHTTP2)
	}

	// Initial webhook TLS options
	webhookTLSOpts := tlsOpts
	webhookServerOptions := webhook.Options{
		TLSOpts: webhookTLSOpts,
		Port:    webhookPort,
	}

	if len(webhookCertPath) > 0 {
		setupLog.Info("Initializing webhook certificate watcher using provided certificates",
			"webhook-cert-path", webhookCertPath, "webhook-cert-name", webhookCertName, "webhook-cert-key", webhookCertKey)

		webhookServerOptions.CertDir = webhookCertPath
		webhookServerOptions.CertName = webhookCertName
		webhookServerOptions.KeyName = webhookCertKey
	}

	webhookServer := webhook.NewServer(webhookServerOptions)

	// Metrics endpoint is enabled in 'config/default/kustomization.yaml'. The Metrics options configure the server.
	// More info:
	// - https://pkg.go.dev/sigs.k8s.io/controller-runtime@v0.25.0/pkg/metrics/server
	// - https://book.kubebuilder.io/reference/metrics.html
	metricsServerOptions := metricsserver.Options{
		BindAddress:   metricsAddr,
		SecureServing: secureMetrics,
		TLSOpts:       tlsOpts,
	}

	if secureMetrics {
		// FilterProvider is used to protect the metrics endpoint with authn/authz.
		// These configurations ensure that only authorized users and service accounts
		// can access the metrics endpoint. The RBAC are configured in 'config/rbac/kustomization.yaml'. More info:
		// https://pkg.go.dev/sigs.k8s.io/controller-runtime@v0.25.0/pkg/metrics/filters#WithAuthenticationAndAuthorization
		metricsServerOptions.FilterProvider = filters.WithAuthenticationAndAuthorization
	}

	// If the certificate is not specified, controller-runtime will automatically
	// generate self-signed certificates for the metrics server. While convenient for development and testing,
	// this setup is not recommended for production.
	//
	// TODO(user): If you enable certManager, uncomment the following lines:
	// - [METRICS-WITH-CERTS] at config/default/kustomization.yaml to generate and use certificates
	// managed by cert-manager for the metrics server.
	// - [PROMETHEUS-WITH-CERTS] at config/prometheus/kustomization.yaml for TLS certification.
	if len(metricsCertPath) > 0 {
		setupLog.Info("Initializing metrics certificate watcher using provided certificates",
			"metrics-cert-path", metricsCertPath, "metrics-cert-name", metricsCertName, "metrics-cert-key", metricsCertKey)

		metricsServerOptions.CertDir = metricsCertPath
		metricsServerOptions.CertName = metricsCertName
		metricsServerOptions.KeyName = metricsCertKey
	}

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsServerOptions,
		WebhookServer:          webhookServer,
		HealthProbeBindAddress: probeAddr,
		LeaderElection:         enableLeaderElection,
		LeaderElectionID:       "d5dda271.imagestreams.io",
		// The lease lives in the operator's namespace: POD_NAMESPACE (config/manager sets it
		// from the downward API), else the namespace of the in-cluster ServiceAccount.
		LeaderElectionNamespace: os.Getenv("POD_NAMESPACE"),
		// LeaderElectionReleaseOnCancel defines if the leader should step down voluntarily
		// when the Manager ends. This requires the binary to immediately end when the
		// Manager is stopped, otherwise, this setting is unsafe. Setting this significantly
		// speeds up voluntary leader transitions as the new leader don't have to wait
		// LeaseDuration time first.
		//
		// In the default scaffold provided, the program ends immediately after
		// the manager stops, so would be fine to enable this option. However,
		// if you are doing or is intended to do any operation such as perform cleanups
		// after the manager stops then its usage might be unsafe.
		// LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		setupLog.Error(err, "Failed to start manager")
		os.Exit(1)
	}

	importer.ControlPlanePlatform, err = controlPlanePlatform(mgr, platform)
	if err != nil {
		setupLog.Error(err, "Invalid --control-plane-platform")
		os.Exit(1)
	}
	imports.MaxImagesBulkImportedPerRepository = streams.MaxImagesBulkImportedPerRepository
	importer.UserAgent = "imagestream-operator"
	if err := importer.Validate(); err != nil {
		setupLog.Error(err, "Invalid registry options")
		os.Exit(1)
	}
	imp := registry.NewImporter(importer)
	var schedule *controller.Schedule
	if scheduledInterval > 0 {
		schedule = controller.NewSchedule(scheduledInterval, scheduledPerMinute)
	}
	if err := (&controller.ImageStreamReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Recorder:  mgr.GetEventRecorder("imagestream-controller"),
		Importer:  imp,
		Clock:     clock.RealClock{},
		Options:   streams,
		Schedule:  schedule,
	}).SetupWithManager(mgr); err != nil {
		setupLog.Error(err, "Failed to create controller", "controller", "ImageStream")
		os.Exit(1)
	}
	if err := (&controller.ImageStreamImportReconciler{
		Client:    mgr.GetClient(),
		APIReader: mgr.GetAPIReader(),
		Importer:  imp,
		Clock:     clock.RealClock{},
		Options:   imports,
	}).SetupWithManager(mgr); err != nil {
		setupLog.Error(err, "Failed to create controller", "controller", "ImageStreamImport")
		os.Exit(1)
	}
	triggerKinds, err := controller.TriggerKinds(mgr.GetRESTMapper(), triggerResources)
	if err != nil {
		setupLog.Error(err, "Invalid --trigger-resources")
		os.Exit(1)
	}
	for _, kind := range triggerKinds {
		if err := (&controller.TriggerReconciler{
			Client:   mgr.GetClient(),
			Recorder: mgr.GetEventRecorder("image-trigger-controller"),
			Kind:     kind,
		}).SetupWithManager(mgr); err != nil {
			setupLog.Error(err, "Failed to create controller", "controller", "Trigger", "kind", kind)
			os.Exit(1)
		}
	}
	// ENABLE_WEBHOOKS=false runs the controllers alone (kubebuilder's convention), e.g. out of
	// cluster with `make run`.
	if os.Getenv("ENABLE_WEBHOOKS") != "false" {
		if err := setupWebhooks(mgr, importer, streams.RegistryHostname); err != nil {
			setupLog.Error(err, "Failed to set up webhooks")
			os.Exit(1)
		}
		if err := setupWebhookCertificates(mgr, webhookCertManagement, webhookCerts); err != nil {
			setupLog.Error(err, "Failed to set up webhook certificates")
			os.Exit(1)
		}
	}
	if notifications.Enabled() {
		notifications.RegistryHostnames = []string{streams.RegistryHostname, streams.PublicRegistryHostname}
		if err := setupNotifications(mgr, notifications); err != nil {
			setupLog.Error(err, "Failed to set up the registry notification receiver")
			os.Exit(1)
		}
	}
	// +kubebuilder:scaffold:builder

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up health check")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up ready check")
		os.Exit(1)
	}

	setupLog.Info("Starting manager")
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		setupLog.Error(err, "Failed to run manager")
		os.Exit(1)
	}
}

// controlPlanePlatform parses --control-plane-platform, or asks the cluster when it is empty.
func controlPlanePlatform(mgr ctrl.Manager, flagValue string) (registry.Platform, error) {
	if flagValue == "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return controller.ControlPlanePlatform(ctx, mgr.GetAPIReader()), nil
	}
	os, arch, ok := strings.Cut(flagValue, "/")
	if !ok || os == "" || arch == "" {
		return registry.Platform{}, fmt.Errorf("%q is not of the form os/architecture, e.g. linux/amd64", flagValue)
	}
	return registry.Platform{OS: os, Architecture: arch}, nil
}

// commaList returns a flag.Func setter that appends comma-separated values to list.
func commaList(list *[]string) func(string) error {
	return func(value string) error {
		for _, v := range strings.Split(value, ",") {
			if v = strings.TrimSpace(v); v != "" {
				*list = append(*list, v)
			}
		}
		return nil
	}
}

// setupWebhooks registers the admission webhooks.
func setupWebhooks(mgr ctrl.Manager, importer registry.Options, registryHostname string) error {
	policy, err := registry.NewPolicy(importer.AllowedRegistries, importer.BlockedRegistries)
	if err != nil {
		return err
	}
	access := webhookv1.AccessChecker{Client: mgr.GetClient()}
	if err := webhookv1.SetupImageStreamWebhookWithManager(mgr, &webhookv1.ImageStreamValidator{
		Access: access, Policy: policy, RegistryHostname: registryHostname,
	}); err != nil {
		return fmt.Errorf("image stream webhook: %w", err)
	}
	if err := webhookv1.SetupImageStreamImportWebhookWithManager(mgr, &webhookv1.ImageStreamImportValidator{
		Access: access, Policy: policy,
	}); err != nil {
		return fmt.Errorf("image stream import webhook: %w", err)
	}
	if err := webhookv1.SetupLookupWebhookWithManager(mgr, &webhookv1.LookupMutator{Client: mgr.GetClient()}); err != nil {
		return fmt.Errorf("lookup webhook: %w", err)
	}
	if err := webhookv1.SetupTriggerWebhookWithManager(mgr, &webhookv1.TriggerValidator{Access: access}); err != nil {
		return fmt.Errorf("trigger webhook: %w", err)
	}
	return nil
}

// setupWebhookCertificates provides the webhook server's certificate, self-managed or
// mounted by another tool, and a readiness check that passes once webhooks can be served.
func setupWebhookCertificates(mgr ctrl.Manager, mode string, opts certs.Options) error {
	switch mode {
	case "external":
		return mgr.AddReadyzCheck("webhook-server", mgr.GetWebhookServer().StartedChecker())
	case "self":
	default:
		return fmt.Errorf("--webhook-cert-management=%q is neither self nor external", mode)
	}
	opts.Namespace = os.Getenv("POD_NAMESPACE")
	if opts.Namespace == "" {
		return fmt.Errorf("POD_NAMESPACE is not set: self-managed webhook certificates are kept in the operator's namespace " +
			"(config/manager sets it from the downward API); set it, or use --webhook-cert-management=external, " +
			"or ENABLE_WEBHOOKS=false to run without webhooks")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := certs.Setup(ctx, mgr, opts)
	if err != nil {
		return err
	}
	return mgr.AddReadyzCheck("webhook-certificates", m.Check)
}

// setupNotifications adds the registry notification receiver and its readiness check.
func setupNotifications(mgr ctrl.Manager, flags notification.Flags) error {
	opts, err := flags.Complete(mgr.GetAPIReader(), os.Getenv("POD_NAMESPACE"))
	if err != nil {
		return err
	}
	receiver := &notification.Receiver{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Options: opts}
	if err := receiver.SetupWithManager(mgr); err != nil {
		return err
	}
	return mgr.AddReadyzCheck("notification-receiver", receiver.Serving)
}
