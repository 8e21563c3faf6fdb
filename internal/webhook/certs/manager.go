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

package certs

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
)

// The names are those of config/ before kustomize adds its namePrefix, which also renames
// the resourceNames here; the Secret is not a kustomize resource, so its name is literal.
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=mutatingwebhookconfigurations;validatingwebhookconfigurations,verbs=get;list;watch;update;patch,resourceNames=mutating-webhook-configuration;validating-webhook-configuration
// +kubebuilder:rbac:groups="",namespace=system,resources=secrets,verbs=create
// +kubebuilder:rbac:groups="",namespace=system,resources=secrets,verbs=get;list;watch;update,resourceNames=imagestream-operator-webhook-certs

// Defaults, matching config/default (namePrefix imagestream-operator-).
const (
	DefaultSecretName                     = "imagestream-operator-webhook-certs"
	DefaultServiceName                    = "imagestream-operator-webhook-service"
	DefaultMutatingWebhookConfiguration   = "imagestream-operator-mutating-webhook-configuration"
	DefaultValidatingWebhookConfiguration = "imagestream-operator-validating-webhook-configuration"
	DefaultCALifetime                     = 365 * 24 * time.Hour
	DefaultServingLifetime                = 90 * 24 * time.Hour
)

// Options configures self-managed webhook certificates.
type Options struct {
	// Namespace is the operator's namespace: the Secret and the webhook Service are there.
	Namespace string
	// SecretName is the Secret that holds the CA and the serving certificate. It is created
	// when missing; every replica reads it, and its resourceVersion decides between replicas
	// that rotate at the same time.
	SecretName string
	// ServiceName is the webhook Service; the serving certificate is valid for
	// <service>.<namespace>.svc and <service>.<namespace>.svc.cluster.local.
	ServiceName string
	// ExtraHosts are further DNS names or IP addresses the serving certificate is valid for,
	// e.g. 127.0.0.1 when the API server reaches the webhooks by URL (out of cluster).
	ExtraHosts []string
	// MutatingWebhookConfiguration and ValidatingWebhookConfiguration name the configurations
	// whose webhooks all get the CA as caBundle. Empty: none of that kind.
	MutatingWebhookConfiguration   string
	ValidatingWebhookConfiguration string
	// CALifetime and ServingLifetime are the validity of a new CA and serving certificate;
	// each is replaced after two thirds of it.
	CALifetime      time.Duration
	ServingLifetime time.Duration
}

// BindFlags registers the options' flags on fs, with the defaults above.
func (o *Options) BindFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.SecretName, "webhook-cert-secret", DefaultSecretName,
		"Secret in the operator's namespace that holds the self-managed webhook CA and serving certificate.")
	fs.StringVar(&o.ServiceName, "webhook-service-name", DefaultServiceName,
		"Service in the operator's namespace through which the API server calls the webhooks.")
	fs.StringVar(&o.MutatingWebhookConfiguration, "mutating-webhook-configuration", DefaultMutatingWebhookConfiguration,
		"MutatingWebhookConfiguration whose webhooks get the self-managed CA as caBundle. Empty: none.")
	fs.StringVar(&o.ValidatingWebhookConfiguration, "validating-webhook-configuration", DefaultValidatingWebhookConfiguration,
		"ValidatingWebhookConfiguration whose webhooks get the self-managed CA as caBundle. Empty: none.")
	fs.Func("webhook-cert-extra-hosts", "Comma-separated further DNS names or IP addresses for the self-managed "+
		"serving certificate, e.g. 127.0.0.1 when webhooks are reached by URL.", func(v string) error {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				o.ExtraHosts = append(o.ExtraHosts, h)
			}
		}
		return nil
	})
	fs.DurationVar(&o.CALifetime, "webhook-ca-lifetime", DefaultCALifetime,
		"Validity of a self-managed webhook CA; a new one is made after two thirds of it.")
	fs.DurationVar(&o.ServingLifetime, "webhook-cert-lifetime", DefaultServingLifetime,
		"Validity of a self-managed webhook serving certificate; a new one is issued after two thirds of it.")
}

// Validate reports options that cannot work.
func (o *Options) Validate() error {
	var errs []error
	if o.Namespace == "" {
		errs = append(errs, errors.New("the operator's namespace is not set"))
	}
	if o.SecretName == "" {
		errs = append(errs, errors.New("the Secret name is empty"))
	}
	if o.ServiceName == "" {
		errs = append(errs, errors.New("the webhook Service name is empty"))
	}
	if o.CALifetime <= 0 || o.ServingLifetime <= 0 {
		errs = append(errs, fmt.Errorf("lifetimes must be positive, got CA %s and serving %s", o.CALifetime, o.ServingLifetime))
	}
	return errors.Join(errs...)
}

// hosts returns the names the serving certificate is valid for, the Service's first.
func (o *Options) hosts() []string {
	svc := o.ServiceName + "." + o.Namespace + ".svc"
	return append([]string{svc, svc + ".cluster.local"}, o.ExtraHosts...)
}

// Manager keeps the webhook certificates: the Secret, the files of the webhook server and
// the caBundle of the webhook configurations. Every replica runs it (no leader election):
// each serves webhooks and needs the files.
type Manager struct {
	opts       Options
	secretKey  types.NamespacedName
	certFile   string
	keyFile    string
	serverAddr string
	cache      cache.Cache
	reader     client.Reader // uncached, for the first sync and the readiness check
	writer     client.Client
	log        logr.Logger
}

// Setup creates the certificates if needed and writes them to the webhook server's
// certificate directory before returning, so that the server can start; then it registers
// with mgr a controller that keeps them (rotation, re-injection, other replicas' changes).
// mgr's webhook server must be controller-runtime's default server, reading its
// certificate from files.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) (*Manager, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("invalid webhook certificate options: %w", err)
	}
	srv, ok := mgr.GetWebhookServer().(*webhook.DefaultServer)
	if !ok {
		return nil, fmt.Errorf("self-managed certificates need controller-runtime's default webhook server, not %T", mgr.GetWebhookServer())
	}
	// The same defaults as the webhook server's, which applies them only when it starts.
	so := srv.Options
	certDir := cmp.Or(so.CertDir, filepath.Join(os.TempDir(), "k8s-webhook-server", "serving-certs"))
	port := so.Port
	if port == 0 {
		port = webhook.DefaultPort
	}
	host := so.Host
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}

	m := &Manager{
		opts:       opts,
		secretKey:  types.NamespacedName{Namespace: opts.Namespace, Name: opts.SecretName},
		certFile:   filepath.Join(certDir, cmp.Or(so.CertName, "tls.crt")),
		keyFile:    filepath.Join(certDir, cmp.Or(so.KeyName, "tls.key")),
		serverAddr: net.JoinHostPort(host, strconv.Itoa(port)),
		reader:     mgr.GetAPIReader(),
		writer:     mgr.GetClient(),
		log:        mgr.GetLogger().WithName("webhook-certs"),
	}

	// A cache of just these objects: RBAC can then restrict every verb to their names.
	byName := func(name string) fields.Selector { return fields.OneTermEqualSelector("metadata.name", name) }
	byObject := map[client.Object]cache.ByObject{
		&corev1.Secret{}: {Namespaces: map[string]cache.Config{opts.Namespace: {}}, Field: byName(opts.SecretName)},
	}
	if opts.MutatingWebhookConfiguration != "" {
		byObject[&admissionregistrationv1.MutatingWebhookConfiguration{}] = cache.ByObject{Field: byName(opts.MutatingWebhookConfiguration)}
	}
	if opts.ValidatingWebhookConfiguration != "" {
		byObject[&admissionregistrationv1.ValidatingWebhookConfiguration{}] = cache.ByObject{Field: byName(opts.ValidatingWebhookConfiguration)}
	}
	c, err := cache.New(mgr.GetConfig(), cache.Options{
		Scheme: mgr.GetScheme(), Mapper: mgr.GetRESTMapper(), ByObject: byObject,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the webhook certificate cache: %w", err)
	}
	m.cache = c
	if err := mgr.Add(everyReplica{c}); err != nil {
		return nil, err
	}

	// Before the manager starts: the webhook server fails to start without its files.
	if err := wait.ExponentialBackoffWithContext(ctx, wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 6},
		func(ctx context.Context) (bool, error) {
			_, err := m.sync(ctx, m.reader)
			if errors.Is(err, errLostRace) {
				return false, nil
			}
			return err == nil, err
		}); err != nil {
		return nil, fmt.Errorf("creating the webhook certificates: %w", err)
	}

	enqueue := func(context.Context, client.Object) []reconcile.Request {
		return []reconcile.Request{{NamespacedName: m.secretKey}}
	}
	b := ctrl.NewControllerManagedBy(mgr).Named("webhook-certs").
		WithOptions(controller.Options{NeedLeaderElection: ptr.To(false), MaxConcurrentReconciles: 1}).
		WatchesRawSource(source.Kind(c, client.Object(&corev1.Secret{}), handler.EnqueueRequestsFromMapFunc(enqueue)))
	if opts.MutatingWebhookConfiguration != "" {
		b = b.WatchesRawSource(source.Kind(c, client.Object(&admissionregistrationv1.MutatingWebhookConfiguration{}),
			handler.EnqueueRequestsFromMapFunc(enqueue)))
	}
	if opts.ValidatingWebhookConfiguration != "" {
		b = b.WatchesRawSource(source.Kind(c, client.Object(&admissionregistrationv1.ValidatingWebhookConfiguration{}),
			handler.EnqueueRequestsFromMapFunc(enqueue)))
	}
	if err := b.Complete(reconcile.Func(m.reconcile)); err != nil {
		return nil, fmt.Errorf("creating the webhook certificate controller: %w", err)
	}
	return m, nil
}

// everyReplica runs a cache on every replica, not only on the leader.
type everyReplica struct{ cache.Cache }

func (everyReplica) NeedLeaderElection() bool { return false }

// maxResync bounds the wait between two looks at the certificates (the files may have been
// removed, a clock may have jumped).
const maxResync = time.Hour

func (m *Manager) reconcile(ctx context.Context, _ reconcile.Request) (reconcile.Result, error) {
	next, err := m.sync(ctx, m.cache)
	if errors.Is(err, errLostRace) {
		// Another replica wrote the Secret first; its event brings the new version.
		m.log.V(1).Info("Another replica updated the webhook certificates first", "secret", m.secretKey)
		return reconcile.Result{RequeueAfter: time.Second}, nil
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	return reconcile.Result{RequeueAfter: min(max(time.Until(next), 0)+time.Second, maxResync)}, nil
}

// errLostRace means another writer changed the Secret since it was read.
var errLostRace = errors.New("the Secret changed since it was read")

// sync brings the Secret, the caBundles and the files up to date, in that order: the API
// server trusts a new CA before any replica serves a certificate it signed. It returns
// when the certificates are next due.
func (m *Manager) sync(ctx context.Context, reader client.Reader) (time.Time, error) {
	secret := &corev1.Secret{}
	err := reader.Get(ctx, m.secretKey, secret)
	exists := err == nil
	if err != nil && !apierrors.IsNotFound(err) {
		return time.Time{}, fmt.Errorf("reading Secret %s: %w", m.secretKey, err)
	}
	data, next, what, err := desiredData(time.Now(), secret.Data, issueParams{
		hosts: m.opts.hosts(), caLifetime: m.opts.CALifetime, servingLifetime: m.opts.ServingLifetime,
	})
	if err != nil {
		return time.Time{}, err
	}
	if !exists || !maps.EqualFunc(secret.Data, data, bytes.Equal) {
		if err := m.writeSecret(ctx, secret, exists, data); err != nil {
			return time.Time{}, err
		}
		m.log.Info("Updated webhook certificates", "secret", m.secretKey,
			"newCA", what.newCA, "newServingCertificate", what.newServing, "droppedExpiredCAs", what.droppedCAs)
	}
	if err := m.inject(ctx, reader, data[CABundleKey]); err != nil {
		return time.Time{}, err
	}
	if err := m.writeFiles(data[corev1.TLSCertKey], data[corev1.TLSPrivateKeyKey]); err != nil {
		return time.Time{}, err
	}
	return next, nil
}

func (m *Manager) writeSecret(ctx context.Context, secret *corev1.Secret, exists bool, data map[string][]byte) error {
	if !exists {
		secret = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Namespace: m.secretKey.Namespace, Name: m.secretKey.Name,
				Labels: map[string]string{
					"app.kubernetes.io/name":       "imagestream-operator",
					"app.kubernetes.io/component":  "webhook-certificates",
					"app.kubernetes.io/managed-by": "imagestream-operator",
				},
			},
			Type: corev1.SecretTypeTLS,
			Data: data,
		}
		err := m.writer.Create(ctx, secret)
		if apierrors.IsAlreadyExists(err) {
			return errLostRace
		}
		if err != nil {
			return fmt.Errorf("creating Secret %s: %w", m.secretKey, err)
		}
		return nil
	}
	secret = secret.DeepCopy()
	secret.Data = data
	// Update carries the resourceVersion read: of two replicas rotating at once, one wins.
	err := m.writer.Update(ctx, secret)
	if apierrors.IsConflict(err) {
		return errLostRace
	}
	if err != nil {
		return fmt.Errorf("updating Secret %s: %w", m.secretKey, err)
	}
	return nil
}

// inject sets caBundle on every webhook of the configurations that lacks it. A missing
// configuration is left to the readiness check to report.
func (m *Manager) inject(ctx context.Context, reader client.Reader, caBundle []byte) error {
	if name := m.opts.MutatingWebhookConfiguration; name != "" {
		cfg := &admissionregistrationv1.MutatingWebhookConfiguration{}
		if err := m.patchCABundle(ctx, reader, name, cfg, func() bool {
			changed := false
			for i := range cfg.Webhooks {
				changed = setCABundle(&cfg.Webhooks[i].ClientConfig, caBundle) || changed
			}
			return changed
		}); err != nil {
			return err
		}
	}
	if name := m.opts.ValidatingWebhookConfiguration; name != "" {
		cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{}
		if err := m.patchCABundle(ctx, reader, name, cfg, func() bool {
			changed := false
			for i := range cfg.Webhooks {
				changed = setCABundle(&cfg.Webhooks[i].ClientConfig, caBundle) || changed
			}
			return changed
		}); err != nil {
			return err
		}
	}
	return nil
}

func (m *Manager) patchCABundle(ctx context.Context, reader client.Reader, name string, cfg client.Object, set func() bool) error {
	kind := fmt.Sprintf("%T", cfg)[len("*v1."):]
	if err := reader.Get(ctx, types.NamespacedName{Name: name}, cfg); err != nil {
		if apierrors.IsNotFound(err) {
			m.log.V(1).Info("Webhook configuration not found", "kind", kind, "name", name)
			return nil
		}
		return fmt.Errorf("reading %s %s: %w", kind, name, err)
	}
	before := cfg.DeepCopyObject().(client.Object)
	if !set() {
		return nil
	}
	// The optimistic lock keeps a concurrent change of the webhooks list from being undone.
	if err := m.writer.Patch(ctx, cfg, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsConflict(err) {
			return errLostRace
		}
		return fmt.Errorf("injecting caBundle into %s %s: %w", kind, name, err)
	}
	m.log.Info("Injected the webhook CA", "kind", kind, "name", name)
	return nil
}

func setCABundle(cc *admissionregistrationv1.WebhookClientConfig, caBundle []byte) bool {
	if bytes.Equal(cc.CABundle, caBundle) {
		return false
	}
	cc.CABundle = caBundle
	return true
}

// writeFiles writes the serving certificate and key for the webhook server when they
// differ; controller-runtime's certificate watcher reloads them.
func (m *Manager) writeFiles(certPEM, keyPEM []byte) error {
	cur, _ := os.ReadFile(m.certFile)
	curKey, _ := os.ReadFile(m.keyFile)
	if bytes.Equal(cur, certPEM) && bytes.Equal(curKey, keyPEM) {
		return nil
	}
	if err := writePair(m.certFile, m.keyFile, certPEM, keyPEM); err != nil {
		return fmt.Errorf("writing the webhook serving certificate: %w", err)
	}
	m.log.Info("Wrote the webhook serving certificate", "file", m.certFile)
	return nil
}
