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

package notification

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Flags are the receiver's command-line settings: Options, and where the token is.
type Flags struct {
	Options
	// TokenFile is a file holding the token (a mounted Secret).
	TokenFile string
	// TokenSecret is the Secret `[<namespace>/]<name>` whose key "token" holds the token.
	TokenSecret string
}

// BindFlags registers the receiver's flags on fs.
func (f *Flags) BindFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.BindAddress, "notification-bind-address", "0",
		"Address of the registry notification receiver, e.g. :8444 (needs --registry-hostname and a token). 0 disables it.")
	fs.StringVar(&f.CertDir, "notification-cert-path", "",
		"Directory with the receiver's serving certificate and key (reloaded when they change).")
	fs.StringVar(&f.CertName, "notification-cert-name", "tls.crt", "The receiver's certificate file in --notification-cert-path.")
	fs.StringVar(&f.KeyName, "notification-cert-key", "tls.key", "The receiver's key file in --notification-cert-path.")
	fs.BoolVar(&f.AllowHTTP, "notification-allow-http", false,
		"Serve the receiver over plain HTTP when --notification-cert-path is empty (a proxy or mesh in front terminates TLS).")
	fs.StringVar(&f.TokenFile, "notification-token-file", "",
		"File holding the bearer token that registries must send (at least 16 characters; re-read every 30s).")
	fs.StringVar(&f.TokenSecret, "notification-token-secret", "",
		"Secret [<namespace>/]<name> whose key \"token\" holds the bearer token (default namespace: the operator's).")
	fs.BoolVar(&f.CreateStreams, "create-streams-on-push", false,
		"Create the image stream <name> in namespace <namespace> when an image is pushed to <namespace>/<name> of the "+
			"integrated registry and there is none.")
	fs.Int64Var(&f.MaxBodyBytes, "notification-max-body-bytes", DefaultMaxBodyBytes, "Largest notification body accepted (413 beyond).")
	fs.Float64Var(&f.ClientQPS, "notification-client-qps", DefaultClientQPS,
		"Notifications per second accepted from one client address (429 beyond). 0: no limit.")
	fs.IntVar(&f.ClientBurst, "notification-client-burst", DefaultClientBurst, "Burst of notifications from one client address.")
	fs.Float64Var(&f.QPS, "notification-qps", DefaultQPS, "Authenticated notifications per second accepted in all (429 beyond). 0: no limit.")
	fs.IntVar(&f.Burst, "notification-burst", DefaultBurst, "Burst of authenticated notifications in all.")
}

// Enabled reports whether the receiver is to run.
func (f *Flags) Enabled() bool {
	return f.BindAddress != "" && f.BindAddress != "0"
}

// Complete returns the receiver's options: the token read with reader (uncached) from
// TokenSecret, whose namespace defaults to namespace, or from TokenFile.
func (f *Flags) Complete(reader client.Reader, namespace string) (Options, error) {
	o := f.Options
	switch {
	case f.TokenFile != "" && f.TokenSecret != "":
		return o, errors.New("set one of --notification-token-file and --notification-token-secret, not both")
	case f.TokenFile != "":
		o.Token = FileToken(f.TokenFile)
	case f.TokenSecret != "":
		key, err := secretKey(f.TokenSecret, namespace)
		if err != nil {
			return o, err
		}
		o.Token = SecretToken(reader, key)
	}
	return o, o.Validate()
}

// secretKey parses `[<namespace>/]<name>`.
func secretKey(value, defaultNamespace string) (types.NamespacedName, error) {
	key := types.NamespacedName{Namespace: defaultNamespace, Name: value}
	if ns, name, ok := strings.Cut(value, "/"); ok {
		key = types.NamespacedName{Namespace: ns, Name: name}
	}
	if key.Namespace == "" {
		return key, fmt.Errorf("--notification-token-secret=%q names no namespace and POD_NAMESPACE is not set: "+
			"write it as <namespace>/<name>", value)
	}
	if errs := validation.IsDNS1123Subdomain(key.Name); len(errs) > 0 {
		return key, fmt.Errorf("--notification-token-secret=%q: invalid Secret name: %s", value, strings.Join(errs, "; "))
	}
	return key, nil
}
